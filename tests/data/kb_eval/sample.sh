#!/usr/bin/env bash
# Draws the KB evaluation sample (issue 12): 600 articles at random from the
# 7,398 of kbarchive-jekyll-subset.tar.xz (every corpus article with SYMPTOMS,
# CAUSE and RESOLUTION and an event id, a hex code or a quoted message: the
# troubleshooting articles, chosen by the dataset and not by our compiler),
# less the articles of tests/data/kb_truth. Each article is ranked by
# sha256("SEED QNNNNNN"); the first 600 are taken, alternately dev and test
# (ranks 1-200 were labelled first, then 201-400, then 401-600; the
# ranking is the same, so each larger draw keeps the smaller one).
#
#   tests/data/kb_eval/sample.sh [SEED] > sample.txt
# prints "QNNNNNN dev|test" lines, in rank order. The seed used is 20261203.
set -euo pipefail
seed=${1:-20261203}
here=$(cd "$(dirname "$0")" && pwd)
tar=${KBC_SHARED_DIR:-$here/../../../../shared}/data/kb/kbarchive-jekyll-subset.tar.xz
[ -f "$tar" ] || { echo "sample.sh: no corpus at $tar" >&2; exit 2; }
grep -o '^article [a-z]*/[0-9]*/Q[0-9]*' "$here/../kb_truth/truth.txt" |
	grep -o 'Q[0-9]*$' | sort -u >"${TMPDIR:-/tmp}/kb_eval_truth.$$"
tar -tJf "$tar" | grep -o '^kb/[0-9]*/Q[0-9]*/README.md$' | cut -d/ -f3 | sort -u |
	grep -vxFf "${TMPDIR:-/tmp}/kb_eval_truth.$$" |
	while read -r id; do
		printf '%s %s\n' "$(printf '%s %s' "$seed" "$id" | sha256sum | cut -c1-16)" "$id"
	done | sort | head -n 600 | awk '{ print $2, (NR % 2 ? "dev" : "test") }'
rm -f "${TMPDIR:-/tmp}/kb_eval_truth.$$"
