#!/usr/bin/env bash
# daemon_kill9.sh with the incidents going to Splunk HEC (issue 17):
# nothing lost through kills, duplicates only with equal ids.
KBC_KILL9_SINK=hec exec bash "$(dirname "$0")/daemon_kill9.sh"
