#!/usr/bin/env bash
# Integration tests: real BPF programs in the real kernel, driven by the workloads in
# tests/workloads. Needs root and a kernel with BTF; elsewhere every test is skipped
# with the reason -- except under CI=true, where a skip is a failure.
#   usage: tests/integration/run.sh [NAME-FILTER...]
# A test runs when its name (file::function) contains any of the filters.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# signals as a terminal gives them, whoever started us (tests send SIGINT and SIGPIPE)
if [ -z "${PROCSCOPE_SIGDEFAULT:-}" ]; then
	export PROCSCOPE_SIGDEFAULT=1
	exec "$here/../workloads/bin/sigdefault" bash "$0" "$@"
fi
filters=("$@")
# shellcheck source=tests/counts.sh
source "$here/../counts.sh"

[ "$(id -u)" -eq 0 ] || cannot_run "integration tests" "not root"
[ -r /sys/kernel/btf/vmlinux ] ||
	cannot_run "integration tests" "kernel without BTF (/sys/kernel/btf/vmlinux)"

# the program names, from procscope's registry (a failed --check still lists them)
PROCSCOPE_PROGS=$("${PROCSCOPE:-$here/../../procscope}" --check --json 2> /dev/null |
	jq -r '[.subsystems[].programs[].name] | join(" ")')
export PROCSCOPE_PROGS
[ -n "$PROCSCOPE_PROGS" ] || { echo "FAIL procscope --check --json lists no programs"; failed=1; }

# the files of this run's failures only (PROCSCOPE_FAILED_DIR: where, e.g. one per pass)
FAILED_KEPT=${PROCSCOPE_FAILED_DIR:-build/failed-tests}
rm -rf "${here:?}/../../$FAILED_KEPT"
for file in "$here"/test_*.sh; do
	tests=$(bash -c "source '$here/lib.sh'; source '$file'; declare -F" | awk '$3 ~ /^test_/ { print $3 }')
	for t in $tests; do
		name="$(basename "$file" .sh)::$t"
		if [ ${#filters[@]} -gt 0 ]; then
			match=
			for f in "${filters[@]}"; do [[ $name == *"$f"* ]] && match=1; done
			[ -n "$match" ] || continue
		fi
		log=$(mktemp)
		start=$(date +%s.%N)
		# programs loaded after this are the test's to account for (assert_nothing_loaded)
		PROG_ID_BEFORE=$(bpftool prog show -j 2> /dev/null | jq 'map(.id) | max // 0')
		export PROG_ID_BEFORE
		(
			T=$(mktemp -d /tmp/procscope-it.XXXXXX)
			export T
			source "$here/lib.sh"
			source "$file"
			# a failed test's files (its reports) are kept under $FAILED_KEPT
			trap 'rc=$?; run_exit_hooks; cleanup_bg; if [ $rc -ne 0 ]; then mkdir -p "$here/../../$FAILED_KEPT" &&
				rm -rf "$here/../../$FAILED_KEPT/$name" &&
				cp -r "$T" "$here/../../$FAILED_KEPT/$name" 2> /dev/null; fi; rm -rf "$T"' EXIT
			trap 'echo "    failed at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND" >&2' ERR
			set -eEuo pipefail
			cd "$T"
			"$t"
		) > "$log" 2>&1
		rc=$?
		secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   $name (${secs}s)"
		else
			failed=$((failed + 1))
			echo "FAIL $name (${secs}s), its files kept in $FAILED_KEPT/$name"
			sed 's/^/    /' "$log" | tail -n 40
		fi
		rm -f "$log"
	done
done
# whatever ran above, the host's device nodes are what they were
for dev in /dev/null /dev/zero /dev/full; do
	if [ -c "$dev" ]; then
		passed=$((passed + 1))
		echo "ok   host::$dev is still a character device"
	else
		failed=$((failed + 1))
		echo "FAIL host::$dev is no longer a character device: $(stat -c %F "$dev")"
	fi
done
summary
exit $((failed > 0))
