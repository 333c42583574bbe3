#!/usr/bin/env bash
# Builds and runs one libFuzzer target over npdrop's own sources (swiftc, no SwiftPM).
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh TARGET 0                 # build only
#   scripts/fuzz.sh TARGET repro FILE...     # run the target once on each FILE (reproduce a crash)
#   scripts/fuzz.sh list                     # the targets
#
# Targets (harnesses in scripts/fuzz/<target>.swift):
#   npy-header   NPYHeaderParser / DType.parse over arbitrary bytes, encode-parse round trip
#   npy-stream   NPYReader over arbitrary bytes with short reads, copy through NPYWriter, re-read
#   npz          ZipArchiveReader + every member read to its end (CRC/size checks), npy inside
#   apply        `npdrop apply IN OUT ...` end to end, IN = the input bytes
#
# Everything built or written goes under .build-fuzz/ (git-ignored):
#   .build-fuzz/modules/   instrumented modules (rebuilt when their sources or flags change)
#   .build-fuzz/bin/       fuzz-<target> executables
#   .build-fuzz/<target>/corpus     the growing corpus (kept between runs)
#   .build-fuzz/<target>/artifacts  crash-*, leak-*, timeout-*, oom-* reproducers
# Seeds (Fixtures, with the third-party corpus in Fixtures/third-party) are copied into a temporary directory at each run.
# Every run uses -rss_limit_mb=512 -timeout=10 and a per-target -max_len, and ends with a line
#   fuzz <target>: <N> executions in <S> s (<E> exec/s), ...
# Exit status: 0 when the run found nothing, libFuzzer's status (non-zero) when it found a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/.build-fuzz"
MODULES="$OUT/modules"
BIN="$OUT/bin"
SWIFTC="${SWIFTC:-swiftc}"
# Instrumented code: coverage for libFuzzer + AddressSanitizer. -O keeps Swift's overflow and
# bounds checks (only -Ounchecked drops them); -g gives symbolised stack traces.
FUZZ_FLAGS=(-sanitize=fuzzer,address -O -g -swift-version 6 -parse-as-library -package-name npdrop)
# Swift's own crash backtracer is turned off in the runs (SWIFT_BACKTRACE=enable=no): under
# AddressSanitizer it reads the stack in a way ASan reports, hiding the real crash message.
# ASan keeps freed memory in a 256 MB quarantine by default, which counts against -rss_limit_mb;
# 64 MB still catches use-after-free of recent frees and leaves room for the 512 MB cap.
ASAN_DEFAULTS="${ASAN_OPTIONS:-quarantine_size_mb=64:detect_leaks=1}"
# Third-party code (ArgumentParser) is not instrumented: its coverage would only distract the fuzzer.
PLAIN_FLAGS=(-O -g -swift-version 6 -parse-as-library -suppress-warnings)

usage() {
    sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

targets="npy-header npy-stream npz apply"

# max_len per target: big enough for real headers/archives, small enough to keep exec/s high.
max_len_for() {
    case "$1" in
        npy-header) echo 4096 ;;
        npy-stream) echo 16384 ;;
        npz) echo 32768 ;;
        apply) echo 16384 ;;
    esac
}

# libFuzzer dictionary (tokens worth inserting) per target.
dict_for() {
    case "$1" in
        npz) echo zip.dict ;;
        *) echo npy.dict ;;
    esac
}

# Modules each target links, bottom-up.
modules_for() {
    case "$1" in
        npy-header) echo "NPYFormat" ;;
        npy-stream) echo "NPYFormat NPYStream" ;;
        npz) echo "NPYFormat NPYStream NPZContainer" ;;
        apply) echo "NPYFormat NPYStream NPZContainer DropoutEngine BatchRunner ArgumentParserToolInfo ArgumentParser npdrop" ;;
    esac
}

# Modules a module imports (their interfaces are part of its build key).
module_deps() {
    case "$1" in
        NPYStream) echo "NPYFormat" ;;
        NPZContainer) echo "NPYFormat NPYStream" ;;
        DropoutEngine) echo "NPYFormat NPYStream NPZContainer" ;;
        BatchRunner) echo "NPYFormat NPYStream NPZContainer DropoutEngine" ;;
        ArgumentParser) echo "ArgumentParserToolInfo" ;;
        npdrop) echo "NPYFormat NPYStream NPZContainer DropoutEngine BatchRunner ArgumentParserToolInfo ArgumentParser" ;;
    esac
}

module_sources() {
    local module="$1"
    case "$module" in
        ArgumentParser|ArgumentParserToolInfo)
            find "$ROOT/.build/checkouts/swift-argument-parser/Sources/$module" -name '*.swift' | LC_ALL=C sort ;;
        *)
            find "$ROOT/Sources/$module" -name '*.swift' | LC_ALL=C sort ;;
    esac
}

ensure_argument_parser() {
    if [ ! -d "$ROOT/.build/checkouts/swift-argument-parser/Sources/ArgumentParser" ]; then
        echo "fuzz: resolving swift-argument-parser (swift package resolve)" >&2
        swift package resolve >&2
    fi
}

# build_module NAME: compiles Sources/NAME (or the ArgumentParser checkout) into
# $MODULES/NAME.o + NAME.swiftmodule, unless sources and flags are unchanged since the last build.
build_module() {
    local module="$1"
    local -a flags extra sources
    extra=()
    case "$module" in
        ArgumentParser|ArgumentParserToolInfo) flags=("${PLAIN_FLAGS[@]}") ;;
        *) flags=("${FUZZ_FLAGS[@]}") ;;
    esac
    case "$module" in
        NPZContainer|DropoutEngine|BatchRunner|npdrop) extra+=(-I "$ROOT/Sources/NPDropZlib") ;;
    esac
    if [ "$module" = npdrop ]; then
        # The CLI's @main becomes npdrop_main (as SwiftPM does for testable executables), so that
        # libFuzzer's main links; -enable-testing lets the harness reach the internal commands.
        extra+=(-enable-testing -Xfrontend -entry-point-function-name -Xfrontend npdrop_main)
    fi
    mapfile -t sources < <(module_sources "$module")
    if [ ${#sources[@]} -eq 0 ]; then
        echo "fuzz: no sources for module $module" >&2
        exit 1
    fi
    local stamp="$MODULES/$module.stamp"
    local key dep
    key="$( { printf '%s\n' "${flags[@]}" "${extra[@]}" "$("$SWIFTC" --version 2>&1 | head -1)"; cat "${sources[@]}";
              for dep in $(module_deps "$module"); do cat "$MODULES/$dep.stamp" 2>/dev/null || true; done
            } | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cut -d' ' -f2 "$stamp")" = "$key" ] && [ -f "$MODULES/$module.o" ]; then
        return
    fi
    echo "fuzz: compiling module $module (${#sources[@]} files)" >&2
    "$SWIFTC" "${flags[@]}" "${extra[@]}" -wmo -module-name "$module" -I "$MODULES" \
        -emit-module -emit-module-path "$MODULES/$module.swiftmodule" \
        -c -o "$MODULES/$module.o" "${sources[@]}"
    echo "$module $key" > "$stamp"
}

# build_target TARGET: links scripts/fuzz/TARGET.swift (+ scripts/fuzz/Support/*.swift) with its modules.
build_target() {
    local target="$1"
    mkdir -p "$MODULES" "$BIN"
    local -a modules objects link
    read -r -a modules <<< "$(modules_for "$target")"
    if [[ " ${modules[*]} " == *" ArgumentParser "* ]]; then ensure_argument_parser; fi
    objects=()
    for module in "${modules[@]}"; do
        # Skip a module that has no sources yet (e.g. a layer still being written on another branch).
        if [ -z "$(module_sources "$module" | head -1)" ]; then continue; fi
        build_module "$module"
        objects+=("$MODULES/$module.o")
    done
    link=(-I "$MODULES" -I "$ROOT/Sources/NPDropZlib" -lz -use-ld=lld)
    echo "fuzz: linking $BIN/fuzz-$target" >&2
    "$SWIFTC" "${FUZZ_FLAGS[@]}" "${link[@]}" -module-name "Fuzz_${target//-/_}" \
        "$ROOT/scripts/fuzz/$target.swift" "$ROOT"/scripts/fuzz/Support/*.swift \
        "${objects[@]}" -o "$BIN/fuzz-$target"
}

# seed_corpus TARGET DIR: copies the inputs that suit TARGET into DIR.
seed_corpus() {
    local target="$1" dir="$2"
    mkdir -p "$dir"
    local -a patterns
    case "$target" in
        npz) patterns=('*.npz') ;;
        apply) patterns=('*.npy' '*.npz') ;;
        *) patterns=('*.npy') ;;
    esac
    local n=0
    for pattern in "${patterns[@]}"; do
        while IFS= read -r -d '' file; do
            # Flatten paths into unique names; copies, so nothing in the tree is ever touched.
            local name="${file#"$ROOT"/}"
            name="${name//\//__}"
            cp "$file" "$dir/$name"
            n=$((n + 1))
        done < <(find "$ROOT/Fixtures" -name "$pattern" -type f -print0 2>/dev/null)
    done
    echo "$n"
}

run_target() {
    local target="$1" seconds="$2"
    shift 2
    build_target "$target"
    [ "$seconds" = 0 ] && { echo "fuzz: built $BIN/fuzz-$target" >&2; return 0; }
    local work="$OUT/$target"
    mkdir -p "$work/corpus" "$work/artifacts"
    local seeds
    seeds="$(mktemp -d "$OUT/seeds-$target.XXXXXX")"
    trap 'rm -rf "$seeds"' RETURN
    local count
    count="$(seed_corpus "$target" "$seeds")"
    local log="$work/last-run.log"
    local max_len
    max_len="$(max_len_for "$target")"
    echo "fuzz: running $target for $seconds s (max_len $max_len, $count seeds; log $log)" >&2
    local -a dict=()
    dict=(-dict="$ROOT/scripts/fuzz/$(dict_for "$target")")
    local status
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="$ASAN_DEFAULTS" "$BIN/fuzz-$target" \
        -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=512 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" "$@" \
        "$work/corpus" "$seeds" 2>&1 | tee "$log" \
        | grep -E --line-buffered '^#[0-9]+ +(INITED|DONE)|Fatal error|ERROR|SUMMARY|Test unit written'
    status="${PIPESTATUS[0]}"
    set -e
    summarize "$target" "$log" "$status"
    return "$status"
}

# summarize TARGET LOG STATUS: one line with the figures to quote.
summarize() {
    local target="$1" log="$2" status="$3"
    local execs rate seconds corpus rss
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
    seconds="$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -Eo '[0-9]+ second' | grep -Eo '[0-9]+' || true)"
    corpus="$(find "$OUT/$target/corpus" -type f | wc -l)"
    local outcome="no crash"
    if [ "$status" != 0 ]; then
        outcome="FOUND A PROBLEM (exit $status): $(ls -t "$OUT/$target/artifacts" | head -1)"
    fi
    echo "fuzz $target: ${execs:-?} executions in ${seconds:-?} s (${rate:-?} exec/s), corpus $corpus files, peak RSS ${rss:-?} MB, $outcome"
}

[ $# -ge 1 ] || usage
case "$1" in
    list) echo "$targets"; exit 0 ;;
    -h|--help) usage ;;
esac
target="$1"
[[ " $targets " == *" $target "* ]] || { echo "fuzz: unknown target '$target' (targets: $targets)" >&2; exit 2; }
[ $# -ge 2 ] || usage
if [ "$2" = repro ]; then
    shift 2
    build_target "$target"
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="$ASAN_DEFAULTS" exec "$BIN/fuzz-$target" -rss_limit_mb=512 -timeout=10 "$@"
fi
seconds="$2"
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
shift 2
run_target "$target" "$seconds" "$@"
