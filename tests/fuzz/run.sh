#!/usr/bin/env bash
# Run every libFuzzer harness in DIR (make fuzz-build) for SECONDS each, on its seed
# corpus (tests/fuzz/corpus/NAME, plus ELF files from the build for fuzz_elf). A crash,
# a leak, an ASan or UBSan report, or a timeout fails the harness; its input is kept
# in DIR/crash-NAME-*. Ends with "N passed, N failed" (or counts for tests/run-all.sh).
#   usage: tests/fuzz/run.sh DIR SECONDS
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/counts.sh
source "$here/../counts.sh"
dir=${1:?usage: run.sh DIR SECONDS} secs=${2:-30}

for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	corpus=$dir/corpus/$name
	mkdir -p "$corpus"
	cp "$here/corpus/$name/"* "$corpus/" 2> /dev/null || true
	if [ "$name" = elf ] || [ "$name" = cfi ]; then
		# real ELF files: an executable, a stripped one, a shared library
		for f in spin stacks-stripped libpstest.so stacks-nofp libpsnofp.so; do
			[ -f "$root/tests/workloads/bin/$f" ] && cp "$root/tests/workloads/bin/$f" "$corpus/"
		done
	fi
	if [ "$name" = cfi ]; then
		# and their unwind tables alone, as the raw sections the parser starts from
		for f in stacks-nofp libpsnofp.so; do
			objcopy -O binary --only-section=.eh_frame "$root/tests/workloads/bin/$f" \
				"$corpus/$f.eh_frame" 2> /dev/null || true
		done
	fi
	log=$dir/fuzz_$name.log
	start=$SECONDS
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$name-" "$corpus" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok   fuzz::$name ($runs executions in $((SECONDS - start))s, corpus $(ls "$corpus" | wc -l))"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz::$name (exit $rc): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$log")"
		echo "    input kept as $(ls "$dir"/crash-"$name"-* 2> /dev/null | head -1); log $log"
		failed=$((failed + 1))
	fi
done
[ $((passed + failed)) -gt 0 ] || { echo "FAIL fuzz: no harness in $dir (make fuzz-build)"; failed=1; }
summary
exit $((failed > 0))
