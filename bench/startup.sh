#!/usr/bin/env bash
# Start-up, side by side: what each tool costs before its first event, from outside,
# REPS times each in turn (default 9), medians. procscope and bpftrace launch a command
# themselves, after attaching: `date +%s%N` as the command, whose clock reading is when
# it started; the start-up is from the tool's exec to then, the wall to its exit.
# libbpf-tools' syscount launches nothing: its start-up is to its "Tracing" line, then
# it is stopped with SIGINT. CPU time and peak RSS from wait4(2)'s rusage, the tool's
# own and its command's. Then procscope's own breakdown (-v) of one run.
#   env: REPS (default 9)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-9}
tmp=$(mktemp -d)
cleanup() {
	release_tracefs
	rm -rf "$tmp"
}
trap cleanup EXIT
ensure_tracefs
BPFTRACE_PROG='tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'

# one MODE: "startup_ms wall_ms cpu_ms rss_kib" of one run
one() {
	/usr/bin/python3 - "$1" "$PROCSCOPE" "$BPFTRACE_PROG" << 'PY'
import os, signal, subprocess, sys, time
mode, procscope, bt = sys.argv[1:4]
cmd = ["/usr/bin/date", "+%s%N"]
argv = {
    "procscope": [procscope, "-o", "/dev/null", "--"] + cmd,
    "procscope_fp": [procscope, "--unwind", "fp", "-o", "/dev/null", "--"] + cmd,
    "bpftrace": ["bpftrace", "-e", bt, "-c", " ".join(cmd)],
    "syscount": ["stdbuf", "-oL", "syscount"],
}[mode]
t0 = time.time_ns()
p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
started = None
counted = mode.startswith("procscope")  # peers: their counts must be printed at the end
for line in p.stdout:
    line = line.decode(errors="replace").strip()
    if (mode == "bpftrace" and line.startswith("@[")) or (
        mode == "syscount" and started and line.split()[-1:] and line.split()[-1].isdigit()):
        counted = True
    if mode == "syscount":
        if line.startswith("Tracing"):
            started = time.time_ns()
            p.send_signal(signal.SIGINT)
    elif line.isdigit() and len(line) >= 18 and started is None:
        started = int(line)
_, status, ru = os.wait4(p.pid, 0)
end = time.time_ns()
if started is None or (os.WIFEXITED(status) and os.WEXITSTATUS(status) not in (0, 130)):
    sys.exit(f"bench: {mode} did not run: status {status}")
if not counted:
    sys.exit(f"bench: {mode} printed no count at the end: it measured nothing")
print("%.1f %.1f %.0f %d" % ((started - t0) / 1e6, (end - t0) / 1e6,
      (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss))
PY
}

modes=(procscope procscope_fp bpftrace syscount)
echo "bench: start-up, $REPS rounds of ${modes[*]}" >&2
for rep in $(seq 1 "$REPS"); do
	for i in $(seq 0 $((${#modes[@]} - 1))); do
		m=${modes[$(((i + rep) % ${#modes[@]}))]}
		v=$(one "$m")
		echo "$m $v" >> "$tmp/raw"
		echo "  rep $rep $m: $v" >&2
	done
done
med() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$tmp/raw" | median; }
heading "Start-up side by side ($REPS interleaved runs each, medians)"
echo
echo "| mode | start-up, ms (to its command, or ready) | wall to exit, ms | CPU, ms | peak RSS, MiB | start-up, CPU, RSS vs procscope | command |"
echo "|---|---:|---:|---:|---:|---:|---|"
for m in "${modes[@]}"; do
	case $m in
	procscope) what='`procscope -- date`' ;;
	procscope_fp) what='`procscope --unwind fp -- date`' ;;
	bpftrace) what="\`bpftrace -e '$BPFTRACE_PROG' -c date\`" ;;
	syscount) what='libbpf-tools `syscount` (to its "Tracing" line, then SIGINT)' ;;
	esac
	s=$(med "$m" 2) w=$(med "$m" 3) c=$(med "$m" 4) r=$(med "$m" 5)
	ratios=$(awk -v s="$s" -v c="$c" -v r="$r" -v S="$(med procscope 2)" -v C="$(med procscope 4)" \
		-v R="$(med procscope 5)" 'BEGIN { printf "%.2f, %.2f, %.2f", s / S, c / C, r / R }')
	echo "| $m | $s | $w | $c | $(awk -v r="$r" 'BEGIN { printf "%.1f", r / 1024 }') | $ratios | $what |"
done
echo
echo "procscope's own account of one start (\`-v\`):"
echo
"$PROCSCOPE" -v -o /dev/null -- true 2>&1 | grep -E '^procscope: (load|attached)' | sed 's/^/    /'
