# eval.bash - scoring shared by the diagnosis evaluations (kb_eval.sh,
# kb_modern_eval.sh). Each writes:
#   $TMP/expected  "HOST ARTICLE_ID SPLIT", a line per detectable article
#   $TMP/replay.out the replay's incidents
# then calls eval_report, which prints top-1 and top-3 per split (the dev
# misses on stderr) and fails under MIN_TOP1_<split> / MIN_TOP3_<split>.

# ARCHIVE: the 2002 archive compiled (or KBC_EVAL_RULES, a compile reused
# by hand).
eval_archive() {
        ARCHIVE=${KBC_EVAL_RULES:-}
        [ -z "$ARCHIVE" ] || return 0
        local tar=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
        [ -f "$tar" ] || fail "the KB corpus is missing" "a file at $tar" "nothing there"
        tar -xJf "$tar" -C "$TMP"
        run compile_archive "$KBCORR" compile -q -o "$TMP/archive" "$TMP/txt"
        expect_rc compile_archive 0
        ARCHIVE=$TMP/archive
}

# HOST_PREFIX: host -> first incident's winner and first three candidates.
eval_got() {
        jq -r --arg p "$1" 'select(.host.name | startswith($p)) |
                [.host.name, .kb.id,
                 ([.candidates[:3][] | .["kb.id"]] | join(","))] | @tsv' "$TMP/replay.out" |
                awk -F'\t' '!seen[$1]++' >"$TMP/got"
}

eval_score() { # SPLIT: prints "n top1 top3"; the dev misses on stderr
        awk -v want="$1" 'NR == FNR { win[$1] = $2; top3[$1] = $3; next }
                $3 == want {
                        n++
                        has = $1 in win
                        if (win[$1] == $2) t1++
                        if (("," top3[$1] ",") ~ ("," $2 ",")) t3++
                        if (win[$1] != $2 && want == "dev")
                                printf "  dev miss %s (%s): %s\n", $2, $1,
                                        (has ? "named " win[$1] " (top 3: " top3[$1] ")" : "no incident") > "/dev/stderr"
                }
                END { printf "%d %d %d\n", n, t1, t3 }' FS='\t' "$TMP/got" FS=' ' "$TMP/expected"
}

eval_report() { # NAME
        local split n t1 t3 p1 p3 min1 min3
        for split in dev test; do
                read -r n t1 t3 < <(eval_score "$split")
                [ "$n" -gt 0 ] || fail "no detectable $split article"
                p1=$(awk -v a="$t1" -v n="$n" 'BEGIN { printf "%.2f", a / n }')
                p3=$(awk -v a="$t3" -v n="$n" 'BEGIN { printf "%.2f", a / n }')
                echo "$1 $split: $n detectable articles, top-1 $p1 ($t1/$n), top-3 $p3 ($t3/$n)"
                min1=MIN_TOP1_$split min3=MIN_TOP3_$split
                awk -v p="$p1" -v m="${!min1}" 'BEGIN { exit !(p >= m) }' ||
                        fail "$split top-1" "at least ${!min1}" "$p1"
                awk -v p="$p3" -v m="${!min3}" 'BEGIN { exit !(p >= m) }' ||
                        fail "$split top-3" "at least ${!min3}" "$p3"
        done
}
