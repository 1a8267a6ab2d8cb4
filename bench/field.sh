#!/usr/bin/env bash
# Field accuracy: procscope where users point it -- processes running before attach, the
# whole system, real programs from Debian packages -- against ground truth taken
# independently in the same run (utime+stime, /proc/stat, PSI, strace, the programs'
# own figures, du, tc). One row per scenario: the truth, procscope's figure, and the
# top finding of each of REPS runs. PROCSCOPE=path measures another build (the
# "before" column of a closing note).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$ROOT/tests/workloads/throttle.sh"
REPS=${REPS:-3}
tmp=$(mktemp -d)
BG=()
NS_A=psf-a-$$ NS_B=psf-b-$$
cleanup() {
	for p in "${BG[@]}"; do kill "$p" 2> /dev/null || true; done
	wait 2> /dev/null || true
	ip netns del "$NS_A" 2> /dev/null || true
	ip netns del "$NS_B" 2> /dev/null || true
	rmdir "${cg:-/nonexistent}" 2> /dev/null || true
	rm -rf "$tmp" "${io:-/nonexistent}"
}
trap cleanup EXIT
io=$ROOT/build/field.$$
mkdir -p "$io"

report() { jq -c 'select(.type == "report")' "$1"; }
q() { report "$1" | jq -r "$2"; }
top() { q "$1" '.findings[0].kind // "none"'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ms() { awk -v v="$1" 'BEGIN { printf "%.0f\n", v / 1e6 }'; }
row() { echo "| $1 | $2 | $3 | $4 |"; }
# the most frequent of the words on stdin, "word k/n"
tally() { sort | uniq -c | sort -rn | awk -v n="$REPS" 'NR == 1 { print $2 " " $1 "/" n }'; }

heading "Field accuracy: real programs, ground truth taken independently ($REPS runs each, medians)"
echo
echo "| scenario | truth | procscope | top finding |"
echo "|---|---|---|---|"

# 1. pid 1, attached for 3 s: its CPU time against the kernel's utime+stime
: > "$tmp/v"
: > "$tmp/t"
for _ in $(seq "$REPS"); do
	t0=$(cpu_ticks 1)
	"$PROCSCOPE" -p 1 -d 3 --json -o "$tmp/o.json" 2> /dev/null
	t1=$(cpu_ticks 1)
	echo $(((t1 - t0) * 1000 / $(getconf CLK_TCK))) >> "$tmp/t"
	ms "$(q "$tmp/o.json" .target.sched.oncpu_ns)" >> "$tmp/v"
done
row "\`-p 1\` for 3 s (init, mostly idle)" "$(median < "$tmp/t") ms CPU (utime+stime)" \
	"$(median < "$tmp/v") ms on-CPU" "-"

# 2. the whole system with every CPU busy and one more spinner: on-CPU against /proc/stat
n=$(nproc)
for _ in $(seq 0 "$n"); do
	"$WL/spin" 100000 > /dev/null &
	BG+=($!)
done
sleep 0.3
: > "$tmp/v"
: > "$tmp/t"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	w0=$(date +%s%N)
	s0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
	"$PROCSCOPE" -a -d 3 --json -o "$tmp/o.json" 2> /dev/null
	s1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
	w1=$(date +%s%N)
	awk -v b=$((s1 - s0)) -v w=$((w1 - w0)) -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.2f\n", b / hz * 1e9 / w }' >> "$tmp/t"
	q "$tmp/o.json" '.target.sched.oncpu_ns / .target.wall_ns * 100 | floor / 100' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
kill "${BG[@]}" 2> /dev/null || true
wait 2> /dev/null || true
BG=()
row "\`-a\` for 3 s, $((n + 1)) spinners on $n CPUs" "$(median < "$tmp/t") of $n CPUs busy (/proc/stat)" \
	"$(median < "$tmp/v") CPUs on-CPU" "$(tally < "$tmp/k")"

# 3. a shell pipeline's syscalls against strace -f -c
cmd='echo a b c | tr a-z A-Z | wc -c > /dev/null; ls / > /dev/null; cat /etc/hostname > /dev/null'
strace -f -c -o "$tmp/st.txt" sh -c "$cmd"
truth=$(awk '$NF == "total" { print $4 }' "$tmp/st.txt")
texecve=$(awk '$NF == "execve" { print $4 "/" ($5 ~ /^[0-9]+$/ ? $5 : 0) }' "$tmp/st.txt")
"$PROCSCOPE" --json -o "$tmp/o.json" -- sh -c "$cmd"
got=$(q "$tmp/o.json" '[.target.syscalls[].count] | add')
gexecve=$(q "$tmp/o.json" '.target.syscalls[] | select(.name == "execve") | "\(.count)/\(.errors)"')
row "shell pipeline, syscalls" "$truth calls, execve $texecve failed (strace -f -c)" \
	"$got calls, execve $gexecve failed" "-"

# 4. curl, 1 MiB from python3's http.server over a 4 Mbit/s veth
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "fa$$" type veth peer name "fb$$"
ip link set "fa$$" netns "$NS_A"
ip link set "fb$$" netns "$NS_B"
ip -n "$NS_A" addr add 10.232.1.1/24 dev "fa$$"
ip -n "$NS_B" addr add 10.232.1.2/24 dev "fb$$"
ip -n "$NS_A" link set "fa$$" up
ip -n "$NS_B" link set "fb$$" up
ip -n "$NS_B" link set lo up
mkdir "$tmp/www"
head -c $((1 << 20)) /dev/urandom > "$tmp/www/blob"
ip netns exec "$NS_B" /usr/bin/python3 -m http.server 8000 --bind 10.232.1.2 \
	--directory "$tmp/www" > /dev/null 2>&1 &
BG+=($!)
for _ in $(seq 100); do
	ip netns exec "$NS_A" curl -s -o /dev/null http://10.232.1.2:8000/ && break
	sleep 0.05
done
tc -n "$NS_B" qdisc add dev "fb$$" root tbf rate 4mbit burst 32kbit latency 400ms
: > "$tmp/v"
: > "$tmp/t"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	"$PROCSCOPE" --json -o "$tmp/o.json" -- ip netns exec "$NS_A" curl -s -o "$tmp/got" \
		-w '%{speed_download}\n' http://10.232.1.2:8000/blob > "$tmp/curl.txt"
	awk '{ printf "%.2f\n", $1 * 8 / 1e6 }' "$tmp/curl.txt" >> "$tmp/t"
	q "$tmp/o.json" '[.findings[] | select(.kind == "network")][0].evidence.rate_bytes_per_s // 0' |
		awk '{ printf "%.2f\n", $1 * 8 / 1e6 }' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
over=$(tc -n "$NS_B" -s qdisc show dev "fb$$" | grep -o 'overlimits [0-9]*' | awk '{ print $2 }')
ip netns del "$NS_A"
ip netns del "$NS_B"
row "curl 1 MiB over a 4 Mbit/s link" "$(median < "$tmp/t") Mbit/s (curl), $over overlimits (tc)" \
	"network finding at $(median < "$tmp/v") Mbit/s" "$(tally < "$tmp/k")"

# 5. cp -r of 64 MiB out of the page cache, then sync
mkdir -p "$io/src"
for i in $(seq 16); do head -c $((4 << 20)) /dev/urandom > "$io/src/f$i"; done
truth=$(du -sb "$io/src" | awk '{ printf "%.1f", $1 / 1048576 }')
: > "$tmp/v"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	rm -rf "$io/dst"
	sync -f "$io/src"
	for i in $(seq 16); do dd if="$io/src/f$i" iflag=nocache count=0 status=none; done
	"$PROCSCOPE" --json -o "$tmp/o.json" -- sh -c "cp -r '$io/src' '$io/dst' && sync"
	q "$tmp/o.json" '([.processes[] | select(.comm == "cp")][0].io |
		"\(.read_bytes / 1048576 | floor) MiB read, \(.writeback_bytes / 1048576 | floor) MiB written back") +
		"; the finding names sync waiting for cp'"'"'s writeback: " +
		([.findings[] | select(.kind == "disk")][0].summary // "" |
		if test("sync.*writeback of .* dirtied by `cp`") then "yes" else "no" end)' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
row "cp -r 64 MiB, then sync" "$truth MiB copied (du)" "cp: $(sort "$tmp/v" | uniq -c | sort -rn | head -1 | sed 's/^ *[0-9]* //')" \
	"$(tally < "$tmp/k")"

# 6. dd with O_DIRECT in a cgroup limited to 2 MiB/s
f=$io/dd.bin
: > "$tmp/v"
: > "$tmp/k"
cg=$(throttled_cgroup "$(stat -c '%Hd:%Ld' "$io")" $((2 << 20)) bps)
for _ in $(seq "$REPS"); do
	"$PROCSCOPE" --json -o "$tmp/o.json" -- sh -c "echo \$\$ > $cg/cgroup.procs &&
		exec dd if=/dev/zero of=$f bs=1M count=4 oflag=direct" 2> "$tmp/dd.txt"
	q "$tmp/o.json" '[.processes[] | select(.comm == "dd")][0].io.write_bytes' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
rmdir "$cg" 2> /dev/null || true
row "dd 4 MiB O_DIRECT, cgroup limit 2 MiB/s" "$(awk '/copied/ { print $1 }' "$tmp/dd.txt") bytes (dd)" \
	"dd wrote $(median < "$tmp/v") bytes" "$(tally < "$tmp/k")"

# 7. python3 joining four threads that sleep
: > "$tmp/v"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	"$PROCSCOPE" --json -o "$tmp/o.json" -- /usr/bin/python3 -c 'import threading, time
ts = [threading.Thread(target=time.sleep, args=(0.4,)) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]'
	q "$tmp/o.json" '.processes[0].sched.wait | "\(.lock_ns / 1e6 | floor) ms lock, \(.child_ns / 1e6 | floor) ms join"' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
row "python3 joins 4 sleeping threads" "0 ms contended; 400 ms joining" \
	"$(sort "$tmp/v" | uniq -c | sort -rn | head -1 | sed 's/^ *[0-9]* //')" "$(tally < "$tmp/k")"

# 8. two spinners and an untraced neighbour on one CPU: who got the CPU
: > "$tmp/v"
: > "$tmp/t"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	taskset -c 0 "$WL/spin" 100000 > /dev/null &
	nb=$!
	sleep 0.2
	# the target burns 2 x 800 ms of CPU time (spin counts its own CPU clock); its wall
	# time from the shell's own clock: the share it got is the one over the other
	"$PROCSCOPE" --json -o "$tmp/o.json" -- taskset -c 0 sh -c \
		"date +%s%N; $WL/spin 800 & $WL/spin 800 & wait; date +%s%N" > "$tmp/clock.txt"
	kill "$nb"
	wait "$nb" 2> /dev/null || true
	awk 'NR == 1 { a = $1 } NR == 2 { printf "%.2f\n", 1.6e9 / ($1 - a) }' "$tmp/clock.txt" >> "$tmp/t"
	q "$tmp/o.json" '[.findings[] | select(.kind == "cpu_contention" or .kind == "cpu_confined")][0].evidence.cpus_target |
		if . == null then "none" else . * 100 | round / 100 end' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
row "2 spinners + a busy neighbour on 1 CPU" "target got $(median < "$tmp/t") of the CPU (1.6 s of CPU over its wall time)" \
	"contention finding: target got $(median < "$tmp/v") CPUs" "$(tally < "$tmp/k")"

# 9. sqlite3 committing 100 inserts one at a time: its syncs against strace
sql=
for i in $(seq 100); do sql+="insert into t values($i, 'row $i');"; done
strace -f -qq -c -e trace=fdatasync -o "$tmp/st.txt" sqlite3 "$io/st.db" "create table t(a int, b text); $sql"
truth=$(awk '$NF == "fdatasync" { print $4 }' "$tmp/st.txt")
: > "$tmp/v"
: > "$tmp/k"
for _ in $(seq "$REPS"); do
	rm -f "$io/ps.db"
	"$PROCSCOPE" --json -o "$tmp/o.json" -- sqlite3 "$io/ps.db" "create table t(a int, b text); $sql"
	q "$tmp/o.json" '[.target.syscalls[] | select(.name == "fdatasync")][0].count' >> "$tmp/v"
	top "$tmp/o.json" >> "$tmp/k"
done
row "sqlite3, 100 single-insert transactions" "$truth fdatasync (strace)" "$(median < "$tmp/v") fdatasync" \
	"$(tally < "$tmp/k")"
