#!/usr/bin/env bash
# Runs every fuzz target's body on the stable toolchain: first over its corpus (seeds/<target>/
# and, if present, corpus/<target>/), then over random mutations of it, for SECONDS seconds per
# target (default 10). No coverage feedback: cargo fuzz (see README.md) finds more.
# Usage: fuzz/smoke.sh [SECONDS] [extra args for examples/smoke.rs, e.g. --seed 7 --target command_line]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-10}"
shift || true
cargo run --quiet --release --example smoke -- --seconds "$seconds" "$@"
