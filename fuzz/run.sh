#!/usr/bin/env bash
# Runs each libFuzzer target for a while, one after the other on one core.
#
#   fuzz/run.sh BUILD_DIR SECONDS [NAME...]     (NAME: preset, region, image, ...)
#
# Inputs: BUILD_DIR/fuzz-seeds/NAME (written by the fuzz_seed_corpus target)
# and the corpus kept from earlier runs, BUILD_DIR/corpus/NAME, where new
# inputs are added; fuzz/NAME.dict when there is one. Crashes, leaks, timeouts
# and out-of-memory inputs go to BUILD_DIR/findings/NAME-*; the log of each
# run to BUILD_DIR/logs/NAME.log. Exits 1 if any target found something.
set -uo pipefail

build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    names=(preset kernel_text kernel_npy kernel_json region image)
fi

mkdir -p "$build/findings" "$build/logs"
failed=()
for name in "${names[@]}"; do
    binary="$build/fuzz/fuzz_$name"
    corpus="$build/corpus/$name"
    seeds="$build/fuzz-seeds/$name"
    log="$build/logs/$name.log"
    mkdir -p "$corpus" "$seeds"
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1
             -artifact_prefix="$build/findings/$name-")
    if [ -f "$here/$name.dict" ]; then
        options+=(-dict="$here/$name.dict")
    fi
    echo "fuzz_$name: $seconds s, log $log"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$binary" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1
    status=$?
    # The last status line: "#N DONE cov: C ft: F corp: ... exec/s: E rss: R"
    grep -E '^#[0-9]+' "$log" | tail -n 1 | sed 's/^/    /'
    if [ $status -ne 0 ]; then
        failed+=("$name")
        echo "    FOUND SOMETHING (exit $status): see $log and $build/findings/$name-*"
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: findings in ${failed[*]}"
    exit 1
fi
echo "fuzz: no findings"
