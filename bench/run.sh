#!/usr/bin/env bash
# Streaming benchmark of ftpmodem (method and results: BENCHMARKS.md).
#
# In one run, against one vsftpd on loopback and one file: curl downloads (to /dev/null and to a
# file), the module's RETR into its local file system, RETR to a reader on its TCP line, curl -T,
# and a transparent-mode STOR; each RUNS times after one untimed run whose results are all checked
# by sha256. Prints a Markdown table of medians, ratios against curl and the module's peak RSS.
# Then, unless BIG_TESTS=0, the 1 GiB streaming tests in release mode (bit-exact, RSS < 64 MiB).
#
# Usage: bash bench/run.sh [extra stream_bench options, e.g. --only retr-serial]
#   SIZE_MIB=256 RUNS=5 BIG_TESTS=1 (defaults)
#
# Prerequisites (this script installs nothing): root (vsftpd chroots and uses PAM), and vsftpd,
# curl, openssl and the uftp user, all from `bash .ci/install-test-servers.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${SIZE_MIB:-256}
RUNS=${RUNS:-5}
BIG_TESTS=${BIG_TESTS:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

fail() { echo "bench/run.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (vsftpd); see .ci/install-test-servers.sh"
for tool in curl openssl; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool missing: run .ci/install-test-servers.sh as root"
done
[ -x "${FTPMODEM_VSFTPD:-/usr/sbin/vsftpd}" ] || fail "vsftpd missing: run .ci/install-test-servers.sh as root"
id uftp >/dev/null 2>&1 || fail "user uftp missing: run .ci/install-test-servers.sh as root"

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
echo "kernel: $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rustc: $(rustc --version)"
echo "curl: $(curl --version | head -1)"
echo "vsftpd: $(dpkg-query -W -f='${Version}' vsftpd 2>/dev/null || echo unknown)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"

echo "== build (release)"
cargo build --release --locked -p ftpmodem --bin ftpmodem --example stream_bench

echo "== benchmark: ${SIZE_MIB} MiB, ${RUNS} runs"
"$TARGET_DIR/release/examples/stream_bench" \
    --size-mib "$SIZE_MIB" --runs "$RUNS" --bin "$TARGET_DIR/release/ftpmodem" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$BIG_TESTS" = 1 ]; then
    echo "== 1 GiB streaming tests (release)"
    cargo test --release --locked -p ftpmodem --test integration stream_transfers:: -- \
        --ignored --test-threads 1 --nocapture
fi
