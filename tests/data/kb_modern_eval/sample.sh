#!/usr/bin/env bash
# Draws the modern KB evaluation sample (issue 18): the markdown articles of
# ../shared/data/kb-modern (Microsoft's current support articles, chosen by
# the dataset and not by our compiler), each ranked by
# sha256("SEED PATH"); the first N (64) are taken, alternately dev and test.
# A path's rank does not depend on the other files, so when the shared set
# grows a larger draw is still mostly the same articles.
#
#   tests/data/kb_modern_eval/sample.sh [SEED [N]] > sample.txt
# prints "PATH dev|test" lines (PATH from support/), in rank order. The seed
# used is 20261207.
set -euo pipefail
seed=${1:-20261207} n=${2:-64}
here=$(cd "$(dirname "$0")" && pwd)
root=${KBC_SHARED_DIR:-$here/../../../../shared}/data/kb-modern
[ -d "$root/support" ] || { echo "sample.sh: no articles under $root" >&2; exit 2; }
(cd "$root" && find support -name '*.md' | LC_ALL=C sort) |
	while read -r path; do
		printf '%s %s\n' "$(printf '%s %s' "$seed" "$path" | sha256sum | cut -c1-16)" "$path"
	done | LC_ALL=C sort | head -n "$n" | awk '{ print $2, (NR % 2 ? "dev" : "test") }'
