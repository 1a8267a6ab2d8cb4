#!/usr/bin/env bash
# The kernel matrix (make test-kernels): boot the kernels users have -- Debian 12's 6.1
# and 6.12 by default, fetched by package name -- under qemu's software emulation,
# with this host's root shared read-only over 9p, and in each: procscope --check
# (every subsystem must load), the default mode on a workflow of known counts, and a
# smoke subset of the integration tests. Prints the matrix (kernel x subsystem) and
# ends with "N passed, N failed".
#   usage: tests/kernels/run.sh [DEBIAN-PACKAGE...]   (default: $KERNELS, or 6.1 and 6.12)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/kernels/kernel.sh
source "$ROOT/tests/kernels/kernel.sh"
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || read -ra pkgs <<< "${KERNELS:-linux-image-amd64 linux-image-6.12-amd64}"
passed=0 failed=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; [ $# -eq 0 ] || printf '    %s\n' "$@"; }

summary() {
	if [ -n "${PROCSCOPE_COUNTS:-}" ]; then
		echo "$passed $failed" > "$PROCSCOPE_COUNTS"
	else
		echo "$passed passed, $failed failed"
	fi
}

reason=
[ "$(id -u)" -eq 0 ] || reason="not root"
command -v qemu-system-x86_64 > /dev/null || reason=${reason:-"qemu-system-x86_64 missing"}
[ -x "$ROOT/procscope" ] || reason=${reason:-"procscope not built"}
if [ -n "$reason" ]; then
	if [ "${CI:-}" = true ]; then
		fail "kernel matrix cannot run: $reason"
	else
		echo "skip kernel matrix: $reason"
	fi
	summary
	exit $((failed > 0))
fi

mkdir -p "$KCACHE"
results=$(mktemp -d "$KCACHE/results.XXXXXX")
matrix=$results/matrix.txt
t_all=$SECONDS
for pkg in "${pkgs[@]}"; do
	t0=$SECONDS
	real=$(kernel_package "$pkg")
	if ! kdir=$(kernel_fetch "$real"); then
		fail "$real: cannot fetch the package"
		continue
	fi
	ver=$(ls "$kdir/lib/modules")
	init=$(kernel_initramfs "$kdir" "bash $ROOT/tests/kernels/guest.sh")
	kernel_boot "$kdir" "$init" 900 "$results" > "$results/$ver.console" 2>&1
	out=$results/$ver
	secs=$((SECONDS - t0))
	if [ ! -s "$out/check.json" ]; then
		fail "$ver: the guest ran nothing (${secs}s)" "$(tail -n 15 "$results/$ver.console")"
		continue
	fi
	# 1. every subsystem loads (a missing tracepoint with its fallback is fine)
	jq -r --arg v "$ver" '.subsystems[] | [$v, .name,
		(if .loaded then ([.programs[] | select(.loaded | not) | "no " + .tracepoint] |
			if length > 0 then "ok (" + join(", ") + ")" else "ok" end)
		 else "OFF: " + ([.programs[] | select(.refused != null) | .name + " refused: " + .refused] |
			join("; ")) end)] | @tsv' "$out/check.json" >> "$matrix"
	if [ "$(cat "$out/check.rc")" = 0 ] &&
		[ "$(jq '[.subsystems[] | select(.loaded | not)] | length' "$out/check.json")" = 0 ]; then
		pass "$ver: every subsystem loads"
	else
		fail "$ver: a subsystem does not load" "$(cat "$out/check.err")" \
			"$(jq -c '[.subsystems[] | select(.loaded | not)]' "$out/check.json")"
	fi
	# 2. the default mode: exit status and exact counts
	rep=$(jq -c 'select(.type == "report")' "$out/default.json" 2> /dev/null)
	got=$(jq -r '[.target.exit_code, ([.target.syscalls[] | select(.name == "getppid") |
		.count] | add), ([.processes[] | select(.comm == "forktree")] | length),
		(.target.subsystems | length), (.kernel.notes | map(select(.kind == "refused")) |
		length)] | @tsv' <<< "${rep:-null}" 2> /dev/null)
	# getppid: the shell's own (dash asks at start), 777, and forktree's 100 + 200 +
	# 300 -- what strace -f -c counts; three forktree processes
	if [ "$(cat "$out/default.rc")" = 3 ] && [ "$got" = "$(printf '3\t1378\t3\t6\t0')" ]; then
		pass "$ver: default mode (exit status, syscall counts, process tree, 6 subsystems)"
	else
		fail "$ver: default mode" "status $(cat "$out/default.rc"), got: $got" \
			"$(head -c 600 "$out/default.err")"
	fi
	# 3. the smoke tests
	while read -r line; do
		case $line in
		"ok   "*) pass "$ver: ${line#ok   }" ;;
		"FAIL "*) fail "$ver: ${line#FAIL }" "$(grep -A12 -F "$line" "$out/smoke.txt" | tail -n +2 |
			grep '^    ' | head -n 12)" ;;
		esac
	done < <(grep -E '^(ok|FAIL) ' "$out/smoke.txt" 2> /dev/null)
	grep -qE '^[0-9]+ passed, 0 failed$' "$out/smoke.txt" 2> /dev/null ||
		[ -s "$out/smoke.txt" ] || fail "$ver: the smoke tests did not run" "$(tail -n 5 "$out/guest.log")"
	echo "     $ver: ${secs}s"
done

echo
echo "KERNEL MATRIX  ($((SECONDS - t_all))s)"
printf '  %-26s %-9s %s\n' KERNEL SUBSYSTEM RESULT
while IFS=$'\t' read -r k sub res; do
	printf '  %-26s %-9s %s\n' "$k" "$sub" "$res"
done < "$matrix"
[ "$failed" -eq 0 ] && rm -rf "$results" || echo "guest logs kept in $results"
summary
exit $((failed > 0))
