#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60. With no TARGET, every target in
# fuzz/Cargo.toml runs, one after the other. The script exits non-zero as
# soon as a target crashes. libFuzzer then writes the input that crashed to
# fuzz/artifacts/TARGET/ and prints the command that reproduces it.
#
# FUZZ_SANITIZER picks the sanitizer cargo-fuzz builds with: `none` (the
# default) or `address`. esatls has no unsafe code, so AddressSanitizer
# only checks the dependencies, and it halves the pipeline target's speed
# (about 500 against 1,200 runs a second in a 30-second run on 2 cores).
#
# It runs on a stable toolchain: cargo-fuzz passes nightly-only `-Z` flags
# (sanitizer coverage, AddressSanitizer) to rustc, which stable accepts
# when RUSTC_BOOTSTRAP=1 is set. cargo-fuzz itself is installed from
# crates.io when it is missing.
set -euo pipefail

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "fuzz/run.sh: invalid time '$seconds': expected a positive number of seconds" >&2
    exit 2
fi

sanitizer="${FUZZ_SANITIZER:-none}"
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build --sanitizer "$sanitizer"

for target in "${targets[@]}"; do
    # The working corpus grows between runs and is not committed. The
    # seeds are read from their own directory and never written to.
    mkdir -p "corpus/$target"
    echo "fuzz/run.sh: running $target for ${seconds}s" >&2
    cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" \
        -dict=esa.dict \
        -max_len=65536 \
        -rss_limit_mb=2048 \
        -timeout=10 \
        -print_final_stats=1
done
echo "fuzz/run.sh: ${#targets[@]} target(s) ran ${seconds}s each without a crash" >&2
