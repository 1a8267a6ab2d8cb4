# shellcheck shell=bash
# What procscope does when a kernel refuses one of its programs, run for real on this
# kernel: PROCSCOPE_TEST_REFUSE makes the kernel refuse the programs it names
# (docs/design.md, *Testing*). A refused program turns off only what needs it, says
# so in one line, and the rest measures as before; --check says what loads.

test_check_lists_every_subsystem() {
	"$PROCSCOPE" --check --json > check.json
	assert_eq "$(jq -r .type check.json)" check
	assert_eq "$(jq -r '[.subsystems[].name] | join(",")' check.json)" \
		core,sched,syscalls,io,net,mem,profile,offcpu
	assert_eq "$(jq '[.subsystems[] | select(.loaded | not)] | length' check.json)" 0 \
		"every subsystem loads on this kernel"
	assert_eq "$(jq '[.subsystems[].programs[] | select(.refused != null)] | length' check.json)" 0
	"$PROCSCOPE" --check > check.txt
	grep -Eq '^  sched +yes' check.txt || die "$(cat check.txt)"
	check_error 2 "'--check' traces nothing" --check -a
	assert_nothing_loaded
}

test_check_says_what_is_refused() {
	local rc=0
	PROCSCOPE_TEST_REFUSE=sched_switch "$PROCSCOPE" --check --json > check.json 2> err.txt || rc=$?
	assert_eq "$rc" 1 "a subsystem that cannot load makes --check fail"
	assert_eq "$(jq -r '[.subsystems[] | select(.loaded | not) | .name] | join(",")' check.json)" \
		sched,syscalls,offcpu "sched_switch also carries the syscall cache; offcpu needs sched"
	assert_eq "$(jq -r '.subsystems[] | select(.name == "sched") | .programs[0].refused' check.json)" \
		"Invalid argument"
}

test_refused_subsystem_is_off_and_said() {
	local rc=0
	PROCSCOPE_TEST_REFUSE=io_done "$PROCSCOPE" --json -o out.json -- "$WL/getppid_n" 1234 \
		> wl.out 2> err.txt || rc=$?
	assert_eq "$rc" 0 "a refused subsystem does not fail the run"
	assert_eq "$(wc -l < err.txt)" 1 "said in one line: $(cat err.txt)"
	grep -q "'io' off: this kernel refused 'io_done': Invalid argument" err.txt ||
		die "$(cat err.txt)"
	assert_eq "$(q out.json .target.io)" null
	assert_eq "$(q out.json '.target.subsystems | index("io")')" null
	assert_eq "$(q out.json '.kernel.notes | length')" 1
	assert_eq "$(q out.json '.kernel.notes[0].kind')" refused
	assert_eq "$(q out.json '.kernel.notes[0].program')" io_done
	assert_eq "$(q out.json '.kernel.notes[0].effect')" "off: 'io'"
	# the rest measures as before
	assert_eq "$(sc_count out.json .target getppid)" 1234
	assert_ne "$(q out.json .target.net)" null
	PROCSCOPE_TEST_REFUSE=io_done "$PROCSCOPE" -o out.txt -- true 2> /dev/null
	grep -q "^ON THIS KERNEL" out.txt || die "the text report does not say it"
	grep -q "io: the kernel refused 'io_done' (Invalid argument); off: 'io'" out.txt ||
		die "$(grep -A3 '^ON THIS' out.txt)"
	assert_nothing_loaded
}

test_refused_programs_with_a_fallback() {
	local port
	# without sock_send_length/sock_recv_length, TCP bytes come from the socket at close
	port=$(free_port)
	"$WL/tcpecho" server 127.0.0.1 "$port" 3 > srv.out &
	BG_PIDS+=($!)
	wait_for srv.out listening
	PROCSCOPE_TEST_REFUSE=net_send,net_recv "$PROCSCOPE" --json -o out.json -- \
		"$WL/tcpecho" client 127.0.0.1 "$port" 3 100000 > wl.out 2> err.txt
	assert_eq "$(cat wl.out)" "sent 300000 received 300000 failed 0"
	assert_eq "$(q out.json .target.net.tx_bytes)" 300000 "bytes sent, counted at close"
	assert_eq "$(q out.json .target.net.rx_bytes)" 300000 "bytes received, counted at close"
	assert_eq "$(q out.json .target.net.connects)" 3
	assert_eq "$(q out.json '[.kernel.notes[].program] | join(",")')" net_send,net_recv
	# without block_io_start, a request is attributed when inserted or issued: a direct
	# write still counts for its writer
	local d=${PROCSCOPE_IO_DIR:-$ROOT/build}/kerneltest.$$
	mkdir -p "$d"
	PROCSCOPE_TEST_REFUSE=io_start "$PROCSCOPE" --json -o io.json -- "$WL/iowrite" "$d/f" 16 \
		> wl.out 2> err.txt
	rm -rf "$d"
	assert_within "$(report io.json | jq '.processes[] | select(.comm == "iowrite") |
		.io.write_bytes')" $((16 * 1048576)) 5 "direct writes, attributed at issue"
	assert_ne "$(q io.json .target.io)" null
}

test_refused_core_program_is_fatal() {
	PROCSCOPE_TEST_REFUSE=core_exec check_error 1 \
		"this kernel refused 'core_exec', which procscope cannot run without" -- true
	assert_eq "$(wc -l < err.txt)" 1 "said in one line: $(cat err.txt)"
}

# -v says where start-up went: the load before the programs and each costly program
# (from the kernel's own load stamps), then the stages up to attach; the parts add up.
test_verbose_says_where_start_up_went() {
	local line total parts p
	"$PROCSCOPE" -v -- true > /dev/null 2> err.txt
	line=$(grep '^procscope: load: before the programs' err.txt) || die "$(cat err.txt)"
	[[ $line =~ ([0-9]+)\ programs\ [0-9.]+\ ms\ \((.*)\ ms\)$ ]] || die "$line"
	assert_ge "${BASH_REMATCH[1]}" 20 "programs loaded"
	for p in $(sed 's/, /\n/g; s/ [0-9.]*$//gm' <<< "${BASH_REMATCH[2]}" | grep -v '^\.\.\.$'); do
		[[ " $PROCSCOPE_PROGS " == *" $p "* ]] || die "'$p' is no program of procscope's: $line"
	done
	line=$(grep '^procscope: load: the verifier went through' err.txt) || die "$(cat err.txt)"
	[[ $line =~ through\ ([0-9]+)\ instructions\ \(([a-z_]+)\ ([0-9]+), ]] || die "$line"
	assert_ge "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}" "the total, at least the costliest's: $line"
	assert_ge "${BASH_REMATCH[3]}" 1000 "$line"
	[[ " $PROCSCOPE_PROGS " == *" ${BASH_REMATCH[2]} "* ]] || die "not a program of procscope's: $line"
	grep -Eq '^procscope: first event [0-9.]+ ms after the attach, read [0-9.]+ ms after it$' err.txt ||
		die "no first event: $(cat err.txt)"
	line=$(grep '^procscope: attached in' err.txt) || die "$(cat err.txt)"
	[[ $line =~ attached\ in\ ([0-9.]+)\ ms:\ open\ and\ load\ ([0-9.]+)\ ms,\ unwind\ tables\ ([0-9.]+)\ ms,\ attach\ ([0-9.]+)\ ms ]] ||
		die "$line"
	total=${BASH_REMATCH[1]}
	parts=$(awk -v a="${BASH_REMATCH[2]}" -v b="${BASH_REMATCH[3]}" -v c="${BASH_REMATCH[4]}" \
		'BEGIN { print a + b + c }')
	assert_within "${parts%.*}" "${total%.*}" 2 "the stages add up to the start-up: $line"
}

# Tracepoints a kernel lacks are found in its BTF (btf_trace_<name>), read a chunk at a
# time: a copy of this kernel's BTF with one name changed lacks exactly that one.
test_missing_tracepoint_found_in_the_btf() {
	local rc=0
	"$PROCSCOPE" -v -- true > /dev/null 2> err.txt
	assert_eq "$(grep -c 'has no tracepoint' err.txt)" 0 "this kernel has them all: $(cat err.txt)"
	/usr/bin/python3 - /sys/kernel/btf/vmlinux custom.btf << 'PY'
import sys
d = open(sys.argv[1], "rb").read()
old, new = b"\0btf_trace_sock_recv_length\0", b"\0btf_trace_sock_recv_lengtX\0"
assert d.count(old) == 1, d.count(old)
open(sys.argv[2], "wb").write(d.replace(old, new))
PY
	"$PROCSCOPE" --btf custom.btf -v --json -o out.json -- true > /dev/null 2> err.txt || rc=$?
	assert_eq "$rc" 0 "$(cat err.txt)"
	assert_eq "$(grep -c 'has no tracepoint' err.txt)" 1 "$(cat err.txt)"
	grep -q "kernel has no tracepoint 'sock_recv_length' (Linux 6.3)" err.txt || die "$(cat err.txt)"
	assert_eq "$(q out.json '[.kernel.notes[] | select(.kind == "missing_tracepoint") | .tracepoint] | join(",")')" \
		sock_recv_length
}
