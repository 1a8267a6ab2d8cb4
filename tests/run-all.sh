#!/usr/bin/env bash
# Every test: unit tests (no root), integration tests (root + BTF; see
# tests/integration/run.sh for when they skip) and, on request, the kernel matrix under
# qemu (tests/kernels/run.sh), the unit and integration tests again against an
# ASan+UBSan build (make sanitize-build), and each libFuzzer harness for FUZZ_SECONDS
# (make fuzz-build). Ends with one "N passed, N failed" line for the whole run; exit
# status 1 if anything failed.
# With --bench, the bench smoke (bench/smoke.sh): every tracer the benchmarks compare
# with attaches and measures.
#   usage: tests/run-all.sh [--kernels] [--sanitize] [--fuzz] [--bench] [--sanitized-only]
set -uo pipefail
cd "$(dirname "$0")/.."
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
total_pass=0 total_fail=0
kernels= sanitize= fuzz= bench= plain=1
for a in "$@"; do
	case $a in
	--kernels) kernels=1 ;;
	--sanitize) sanitize=1 ;;
	--fuzz) fuzz=1 ;;
	--bench) bench=1 ;;
	--sanitized-only) sanitize=1 plain= ;;
	*) echo "run-all: unknown option '$a'" >&2; exit 2 ;;
	esac
done

add_counts() { # PASSED FAILED
	total_pass=$((total_pass + ${1:-0}))
	total_fail=$((total_fail + ${2:-1}))
}

# unit LABEL BINARY: the unit tests print their own count line
unit() {
	echo "== $1"
	"$2" > "$counts.unit" 2>&1
	grep -v '^[0-9]* passed, [0-9]* failed$' "$counts.unit"
	read -r p _ f _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$counts.unit" | tail -n1)
	rm -f "$counts.unit"
	add_counts "${p:-0}" "${f:-1}"
}

# runner LABEL COMMAND...: a runner that writes "PASSED FAILED" to $PROCSCOPE_COUNTS
runner() {
	echo "== $1"
	shift
	: > "$counts"
	PROCSCOPE_COUNTS=$counts "$@"
	read -r p f < "$counts" || { p=0; f=1; }
	add_counts "$p" "$f"
}

if [ -n "$plain" ]; then
	unit "unit tests" build/unit_tests
	runner "tools tests" bash tests/tools/run.sh
	runner "integration tests" bash tests/integration/run.sh
fi
if [ -n "$sanitize" ]; then
	# any report ends the program with an error: the test that ran it fails
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	unit "unit tests, ASan+UBSan" build/san/unit_tests
	# its failures' files apart from the plain pass's, which they would replace
	PROCSCOPE=$PWD/build/san/procscope PROCSCOPE_FAILED_DIR=build/failed-tests-asan \
		runner "integration tests, procscope built with ASan+UBSan" bash tests/integration/run.sh
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi
if [ -n "$fuzz" ]; then
	runner "fuzzing, ${FUZZ_SECONDS:-30}s per harness" bash tests/fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-30}"
fi
if [ -n "$bench" ]; then
	runner "bench smoke" bash bench/smoke.sh
fi
if [ -n "$kernels" ]; then
	runner "kernel matrix (qemu)" bash tests/kernels/run.sh
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
