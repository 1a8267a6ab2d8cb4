#!/usr/bin/env bash
# All benchmarks; results (markdown tables) go to bench/results/ and are copied into
# docs/benchmarks.md by hand, with the date and machine. Run as root on an otherwise
# idle machine; every table compares modes measured in the same run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
{
	echo "# procscope benchmarks, $(date -u +%F) on $(uname -r), $(nproc) CPUs"
	echo
	bash "$here/syscall_overhead.sh"
	echo
	bash "$here/io_net_overhead.sh"
	echo
	bash "$here/stacks_overhead.sh"
	echo
	bash "$here/path_overhead.sh"
	echo
	bash "$here/unwind.sh"
	echo
	bash "$here/scenarios.sh"
	echo
	bash "$here/field.sh"
	echo
	bash "$here/trace.sh"
	echo
	bash "$here/soak.sh"
} | tee "$OUT/latest.md"
