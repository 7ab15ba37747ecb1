#!/usr/bin/env bash
# Runs every cargo-fuzz target with libFuzzer for a time budget, JOBS at a time, and prints
# per target the executions, the corpus and the crashes, then a summary table. Exits 1 if any
# target crashed (or failed to run), 2 on a usage or build error.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [JOBS] [TARGET...]
#   SECONDS_PER_TARGET  default 600 (the campaign of issue 13); JOBS default 2 (two fit the
#   2-core machine). With no TARGET, every target of `cargo fuzz list`.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); works on the stable toolchain with
# `-s none` (see README.md). Builds once (release with debug assertions and overflow checks,
# cargo-fuzz's default), then runs the built binaries directly under `nice -n 10`, each with
# corpus/<target>/ (where libFuzzer writes what it finds) and seeds/<target>/, its dictionary,
# artifacts/<target>/ for crashes, and a log in logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-600}"
jobs="${2:-2}"
shift $(($# < 2 ? $# : 2))
case "$seconds$jobs" in
*[!0-9]*) echo "usage: fuzz/run.sh [SECONDS_PER_TARGET] [JOBS] [TARGET...]" >&2; exit 2 ;;
esac
((jobs >= 1)) || jobs=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

# Which dictionary a target gets; one a target, as libFuzzer takes only one.
dict_for() {
    case "$1" in
    ftp_reply | list_parsers) echo dict/ftp.dict ;;
    *) echo dict/at.dict ;;
    esac
}

triple="$(rustc -vV | sed -n 's/^host: //p')"
if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi
echo "run.sh: building ${targets[*]} ($triple, -s none)"
if (($# > 0)); then
    for t in "${targets[@]}"; do
        nice -n 10 cargo fuzz build -s none --target "$triple" "$t" || exit 2
    done
else
    nice -n 10 cargo fuzz build -s none --target "$triple" || exit 2
fi
bindir="target/$triple/release"

mkdir -p logs
started="$(date -u +%FT%TZ)"

# Runs one target; writes logs/<target>.log (libFuzzer's output) and logs/<target>.result.
run_one() {
    local t="$1" log="logs/$1.log" art="artifacts/$1"
    mkdir -p "corpus/$t" "$art"
    local before after rc=0
    before="$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    # -timeout: one input running 30 s is a hang; -rss_limit_mb: 2 GiB is an unbounded buffer.
    nice -n 10 "$bindir/$t" "corpus/$t" "seeds/$t" \
        -dict="$(dict_for "$t")" \
        -max_total_time="$seconds" \
        -print_final_stats=1 \
        -timeout=30 \
        -rss_limit_mb=2048 \
        -artifact_prefix="$art/" \
        >"$log" 2>&1 || rc=$?
    after="$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    local execs cov ft corp rss files crashes status
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
    # libFuzzer's last status line: "#N ... cov: C ft: F corp: U/S ..."
    local last
    last="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")"
    files="$(find "corpus/$t" -maxdepth 1 -type f | wc -l)"
    crashes=$((after - before))
    if ((rc != 0 && crashes == 0)); then
        crashes=1 # died without an artifact (e.g. the binary would not start)
    fi
    status=ok
    ((crashes == 0)) || status=CRASH
    printf '%s %s %s %s %s %s %s %s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
        "${corp:-?}" "$files" "${rss:-?}" "$crashes" "$status" >"logs/$t.result"
    printf 'run.sh: %-14s executions %-12s cov %-6s corpus %-12s (%s files in corpus/%s) crashes %s%s\n' \
        "$t" "${execs:-?}" "${cov:-?}" "${corp:-?}" "$files" "$t" "$crashes" \
        "$( ((crashes == 0)) || echo " -> $art/, log $log")"
}

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' INT TERM
echo "run.sh: $seconds s per target, $jobs at a time, from $started"
for t in "${targets[@]}"; do
    rm -f "logs/$t.result"
    while (($(jobs -rp | wc -l) >= jobs)); do
        wait -n || true
    done
    run_one "$t" &
    pids+=("$!")
done
wait || true

failed=0
summary() {
    echo
    echo "fuzz/run.sh: $seconds s per target, $jobs at a time, started $started, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    printf '%-14s %14s %10s %7s %7s %14s %9s %8s %8s\n' target executions exec/s cov ft corp 'new files' rss_mb crashes
    local t name execs cov ft corp files rss crashes status rate
    for t in "${targets[@]}"; do
        if [[ ! -f "logs/$t.result" ]]; then
            printf '%-14s %s\n' "$t" "did not run"
            continue
        fi
        read -r name execs cov ft corp files rss crashes status <"logs/$t.result"
        rate='?'
        [[ "$execs" =~ ^[0-9]+$ ]] && ((seconds > 0)) && rate=$((execs / seconds))
        printf '%-14s %14s %10s %7s %7s %14s %9s %8s %8s\n' "$name" "$execs" "$rate" "$cov" "$ft" "$corp" "$files" "$rss" "$crashes"
    done
}
summary | tee logs/summary.txt
for t in "${targets[@]}"; do
    if [[ ! -f "logs/$t.result" ]] || ! grep -q ' ok$' "logs/$t.result"; then
        failed=1
    fi
done
if ((failed)); then
    echo "run.sh: FAILED (see artifacts/<target>/ and logs/<target>.log)"
    exit 1
fi
echo "run.sh: no crash"
