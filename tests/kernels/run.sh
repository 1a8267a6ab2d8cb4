#!/usr/bin/env bash
# The kernel matrix (make test-kernels): boot the kernels users have -- Debian 12's 6.1
# and 6.12, and Debian 11's 5.10, fetched by package name -- under qemu's software
# emulation, with this host's root shared read-only over 9p, and in each: procscope
# --check (every subsystem must load), the default mode on a workflow of known counts,
# and a smoke subset of the integration tests; or, for a kernel too old, one clear line
# and nothing loaded. Prints the matrix (kernel x subsystem), ends with "N passed, N failed".
#   usage: tests/kernels/run.sh [SPEC...]   (default: $KERNELS, or the three above)
# SPEC is [SUITE:]PACKAGE[=refuses]: a Debian kernel package (or meta-package) from
# this host's sources, or from Debian's SUITE; "=refuses" when procscope must decline.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/kernels/kernel.sh
source "$ROOT/tests/kernels/kernel.sh"
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] ||
	read -ra pkgs <<< "${KERNELS:-linux-image-amd64 linux-image-6.12-amd64 bullseye:linux-image-amd64=refuses}"
# shellcheck source=tests/counts.sh
source "$ROOT/tests/counts.sh"

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; [ $# -eq 0 ] || printf '    %s\n' "$@"; }

[ "$(id -u)" -eq 0 ] || cannot_run "kernel matrix" "not root"
command -v qemu-system-x86_64 > /dev/null || cannot_run "kernel matrix" "qemu-system-x86_64 missing"
[ -x "$ROOT/procscope" ] || cannot_run "kernel matrix" "procscope not built"

mkdir -p "$KCACHE"
results=$(mktemp -d "$KCACHE/results.XXXXXX")
matrix=$results/matrix.txt
: > "$matrix"
t_all=$SECONDS
for spec in "${pkgs[@]}"; do
	t0=$SECONDS
	expect=runs
	[[ $spec == *=* ]] && expect=${spec#*=}
	pkg=${spec%%=*}
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
	if [ "$expect" = refuses ]; then
		# below the minimum: one line that says what is missing, for --check and a run
		if [ "$(cat "$out/check.rc" 2> /dev/null)" = 1 ] && [ ! -s "$out/check.json" ] &&
			[ "$(cat "$out/refused.rc" 2> /dev/null)" = 1 ] &&
			[ "$(wc -l < "$out/refused.err")" = 1 ] &&
			grep -q "is too old: procscope needs BPF task storage, in Linux 5.11" "$out/refused.err"; then
			pass "$ver: refused in one line: $(cat "$out/refused.err")"
			printf '%s\t%s\t%s\n' "$ver" "(all)" "refused: $(sed 's/^procscope: error: //' "$out/refused.err")" >> "$matrix"
		else
			fail "$ver: not refused as it should be" "$(cat "$out/check.err" "$out/refused.err" 2> /dev/null)" \
				"$(tail -n 15 "$results/$ver.console")"
		fi
		echo "     $ver: ${secs}s"
		continue
	fi
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
