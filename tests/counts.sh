# shellcheck shell=bash
# What every test runner shares (tests/integration/run.sh, tests/kernels/run.sh):
# counting, the closing "N passed, N failed" line -- or, when tests/run-all.sh adds
# several runners up, "N N" in the file $PROCSCOPE_COUNTS -- and skipping with the
# reason where the tests cannot run, which under CI=true is a failure instead.

passed=0 failed=0

summary() {
	if [ -n "${PROCSCOPE_COUNTS:-}" ]; then
		echo "$passed $failed" > "$PROCSCOPE_COUNTS"
	else
		echo "$passed passed, $failed failed"
	fi
}

# cannot_run WHAT REASON: say so (a failure under CI=true), report, and exit.
cannot_run() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL $1 cannot run: $2 (CI must run them)"
		failed=$((failed + 1))
	else
		echo "skip $1: $2"
	fi
	summary
	exit $((failed > 0))
}
