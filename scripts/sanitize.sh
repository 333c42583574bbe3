#!/usr/bin/env bash
# Builds and runs the whole test suite under a sanitizer, in its own scratch path, and times both.
#
#   scripts/sanitize.sh address    # swift test --sanitize=address, scratch path .build-asan
#   scripts/sanitize.sh thread     # swift test --sanitize=thread,  scratch path .build-tsan
#   scripts/sanitize.sh address --filter NPYStreamTests    # extra arguments go to swift test
#
# Prints "sanitize <name>: build <s> s, tests <s> s, exit <status>" at the end; exits with the
# test run's status. Leaks inside XCTest/Foundation are suppressed (scripts/sanitizers/lsan.supp);
# any report from npdrop's own code fails the run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

case "${1:-}" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
sanitizer="$1"
shift

export LSAN_OPTIONS="suppressions=$ROOT/scripts/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Exit non-zero on the first report (TSan's default exit code is 66, ASan aborts anyway);
# Swift's crash backtracer is off so the sanitizer's own report is printed.
export TSAN_OPTIONS="halt_on_error=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no

start=$(date +%s)
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
built=$(date +%s)
status=0
swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@" || status=$?
done_at=$(date +%s)
echo "sanitize $sanitizer: build $((built - start)) s, tests $((done_at - built)) s, exit $status"
exit "$status"
