#!/usr/bin/env bash
# All benchmarks; results (markdown tables, each with the date, machine and commit it
# was run on) go to bench/results/ and into docs/benchmarks.md's generated sections
# (bench/publish.sh), never by hand. Run as root on an otherwise idle machine; every
# table compares modes measured in the same run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
# each script's tables into bench/results/NAME.md, all of them into latest.md; then
# the generated sections of docs/benchmarks.md (bench/publish.sh)
scripts=(syscall_overhead startup io_net_overhead stacks_overhead path_overhead unwind scenarios field
	trace flight storm soak)
{
	echo "# procscope benchmarks, $(date -u +%F) on $(uname -r), $(nproc) CPUs"
	for s in "${scripts[@]}"; do
		echo
		bash "$here/$s.sh" | tee "$OUT/$s.md"
	done
} > "$OUT/latest.md"
bash "$here/publish.sh" "$OUT"
