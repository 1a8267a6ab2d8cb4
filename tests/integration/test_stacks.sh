# shellcheck shell=bash
# Stacks: on-CPU samples and off-CPU intervals, symbolized however the binary was
# built, deleted or short-lived; folded, SVG and pprof outputs that agree.

# Share (0..1) of FILE's sample counts, for lines of COMM, whose frames contain CHAIN.
chain_share() {
	awk -v comm="$2" -v chain="$3" '
		index($0, comm ";") == 1 { n = $NF; total += n; if (index($0, chain) > 0) hit += n }
		END { if (total) printf "%.3f\n", hit / total; else print 0 }' "$1"
}

check_chain() { # FILE COMM CHAIN
	local share
	share=$(chain_share "$1" "$2" "$3")
	assert_ge "$share" 0.9 "share of $2's samples in '$3' ($(cat "$1" | head -c 600))"
}

test_known_chain_in_folded_and_svg() {
	"$PROCSCOPE" --folded f.txt --flamegraph f.svg -o report.out -- "$WL/stacks" 1000
	check_chain f.txt stacks ";main;outer;middle;hot"
	assert_ge "$(awk '{ s += $NF } END { print s }' f.txt)" 50 "samples at 99 Hz over 1 s"
	xmllint --noout f.svg || die "SVG is not well-formed XML"
	for fn in main outer middle hot; do
		grep -q "<title>$fn (" f.svg || die "no '$fn' frame in the SVG"
	done
}

# Without a ratio (the kernel matrix runs it under emulation, where page faults and
# timer interrupts take a larger share of samples): the chain is there, named from
# the program's entry down, and every user frame of it is named -- libc's too, found
# by build id when the process mapped it after its mappings were first read.
test_chain_named_from_the_entry() {
	"$PROCSCOPE" --folded f.txt -o report.out -- "$WL/stacks" 800
	assert_ge "$(chain_share f.txt stacks ";main;outer;middle;hot")" 0.5
	local top
	# the count is the last field: frame names may hold spaces
	top=$(awk '{ print $NF "\t" $0 }' f.txt | sort -n -r | head -n1 | cut -f2-)
	# from _start, walked with libc's unwind tables (frame pointers stop at libc's entry)
	[[ $top == "stacks;_start;"*";__libc_start_call_main;main;outer;middle;hot "* ]] ||
		die "the heaviest stack is not rooted at the program's entry: $top"
	# a file known only by build id is named from its debug file; what has no symbol
	# there (a PLT stub hit while ld.so starts the program) may stay unnamed: a stray
	# sample, never a share
	local unnamed all
	unnamed=$(awk '/\[build-id/ { n += $NF } END { print n + 0 }' f.txt)
	all=$(awk '{ n += $NF } END { print n + 0 }' f.txt)
	assert_le "$((unnamed * 50))" "$all" "unnamed build-id frames: $(grep '\[build-id' f.txt | head -3)"
}

test_pie_nopie_stripped_and_library() {
	local b
	for b in stacks stacks-nopie stacks-stripped; do
		"$PROCSCOPE" --folded "$b.txt" -o report.out -- "$WL/$b" 600
		check_chain "$b.txt" "$b" ";main;outer;middle;hot"
	done
	"$PROCSCOPE" --folded lib.txt -o report.out -- "$WL/stacks-lib" 600
	check_chain lib.txt stacks-lib ";main;lib_outer;lib_middle;lib_hot"
}

test_deleted_binary_still_resolves() {
	local pid
	cp "$WL/stacks" "$T/victim"
	pid=$(start_gated "$T/victim" 800)
	"$PROCSCOPE" -v -p "$pid" --folded f.txt -o report.out 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	rm -f "$T/victim"
	kill -USR1 "$pid"
	wait "$ps"
	check_chain f.txt victim ";main;outer;middle;hot"
}

test_short_lived_processes_symbolized() {
	"$PROCSCOPE" --json -o out.json --folded f.txt -- sh -c "for i in \$(seq 50); do $WL/stacks 50; done"
	# user frames of the 50 processes: named, or module+0xoffset when not
	local share
	share=$(awk 'index($0, "stacks;") == 1 {
			n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";")
			for (i = 2; i <= k; i++) if (f[i] !~ /_\[k\]$/) { total += n; if (f[i] !~ /\+0x/) ok += n }
		} END { if (total) printf "%.3f\n", ok / total; else print 0 }' f.txt)
	assert_ge "$share" 0.95 "symbolized user frames of short-lived processes"
	check_chain f.txt stacks ";main;outer;middle;hot"
	assert_ge "$(q out.json '.target.stacks.user_frames_symbolized / .target.stacks.user_frames')" 0.95
}

test_offcpu_stacks_and_times() {
	# the truth: how long each call took, measured by the workload (a wake-up can come
	# tens of milliseconds late on a busy machine: off-CPU time is all of it)
	"$PROCSCOPE" --offcpu --folded-offcpu off.txt --json -o out.json -- "$WL/blocker" 300 200 \
		> took.txt
	local pid readus sleepus read_ns sleep_ns
	read_ns=$(awk '$1 == "read_ns" { print $2 }' took.txt)
	sleep_ns=$(awk '$1 == "sleep_ns" { print $2 }' took.txt)
	assert_within "$read_ns" 300000000 50 "the read itself: $(cat took.txt)"
	assert_within "$sleep_ns" 200000000 50 "the sleep itself: $(cat took.txt)"
	pid=$(q out.json '[.processes[] | select(.comm == "blocker")][0].pid')
	# the parent's stacks: blocked reading the pipe, then sleeping
	readus=$(q out.json "[.target.stacks.top_offcpu[] | select(.pid == $pid) |
		select(.frames | map(test(\"pipe_read\")) | any) | .time_ns] | add")
	sleepus=$(q out.json "[.target.stacks.top_offcpu[] | select(.pid == $pid) |
		select(.frames | map(test(\"do_nanosleep\")) | any) | .time_ns] | add")
	assert_within "$readus" "$read_ns" 5 "time blocked in read()"
	assert_within "$sleepus" "$sleep_ns" 5 "time blocked in nanosleep()"
	grep -q "pipe_read_\[k\]" off.txt || die "no pipe_read frame in the folded off-CPU stacks"
	# folded off-CPU values are microseconds: they add up to the same times
	assert_within "$(awk '/do_nanosleep/ { s += $NF } END { print s }' off.txt)" \
		"$((sleep_ns / 1000))" 5 "folded microseconds asleep"
	assert_within "$(awk '/pipe_read/ { s += $NF } END { print s }' off.txt)" \
		"$((read_ns / 1000))" 5 "folded microseconds reading"
}

test_pprof_decodes_and_matches_folded() {
	"$PROCSCOPE" --folded f.txt --pprof p.pb.gz -o report.out -- "$WL/stacks" 600
	gzip -t p.pb.gz || die "pprof output is not gzip"
	zcat p.pb.gz | protoc --decode=perftools.profiles.Profile -I "$ROOT/tests/fixtures" \
		"$ROOT/tests/fixtures/profile.proto" > p.txt || die "protoc cannot decode it"
	# samples: the first value of each sample is its on-CPU sample count
	local pprof_total folded_total
	pprof_total=$(awk '/^sample \{/ { s = 1; v = 0 } s && /value:/ { if (v == 0) t += $2; v++ }
		/^}/ { s = 0 } END { print t + 0 }' p.txt)
	folded_total=$(awk '{ s += $NF } END { print s }' f.txt)
	assert_eq "$pprof_total" "$folded_total" "pprof and folded sample totals"
	grep -q 'string_table: "hot"' p.txt || die "no 'hot' function in the pprof"
	grep -q "build_id:" p.txt || die "no mapping with a build id"
}

test_no_profile_means_not_loaded() {
	"$PROCSCOPE" -v --no-profile --json -o out.json -- sh -c 'sleep 0.5' 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	local loaded
	loaded=$(progs_of "$ps" | tr '\n' ' ')
	[[ " $loaded " != *" profile_sample "* ]] || die "profile_sample loaded with --no-profile"
	[[ " $loaded " == *" sched_switch "* ]] || die "the other programs are missing: $loaded"
	wait "$ps"
	assert_eq "$(q out.json .target.stacks)" null
}

# Code that keeps data in rbp sends a frame-pointer walk into the data segment, where a
# bogus frame points at itself: the stack ends at the first return address outside
# executable code, instead of repeating a data address to the depth limit.
test_walk_stops_outside_code() {
	"$PROCSCOPE" -F 499 --folded out.folded --json -o out.json -- "$WL/badframes" 2 > /dev/null
	local total good
	total=$(awk '/;badframes_leaf/ { n += $NF } END { print n + 0 }' out.folded)
	good=$(awk '$1 ~ /^badframes;badframes_caller;badframes_leaf/ { n += $NF } END { print n + 0 }' out.folded)
	assert_ge "$total" 200 "samples in the leaf"
	# every one: the process, the caller, the leaf -- nothing from the data segment
	assert_eq "$good" "$total" "stacks rooted at badframes_caller: $(sort -k2 -nr out.folded | head -3)"
	assert_eq "$(grep -c 'badframes+0x' out.folded || true)" 0 "no frame in the data segment"
	# the walks cut and counted: those after procscope read the program's mappings (the
	# first ones, before -- a quarter of a second with a sanitized build -- are walked
	# with frame pointers, which stop at the bogus frame without counting a cut)
	assert_ge "$(q out.json .target.stacks.user_stacks_truncated)" $((total * 3 / 4)) "walks cut"
}

# Samples that land in procscope's own BPF programs (on every syscall here) are
# labelled as its overhead, not shown as an anonymous kernel frame of the workload.
test_own_programs_labelled() {
	"$PROCSCOPE" -F 999 --folded out.folded --json -o out.json -- "$WL/getppid_loop" 3000000 > /dev/null
	assert_ge "$(grep -c 'procscope:syscalls_enter_\[k\]' out.folded)" 1 "procscope:syscalls_enter frames"
	assert_eq "$(grep -c 'bpf_prog_[0-9a-f]*_syscalls_' out.folded || true)" 0 "no bare bpf_prog frames of ours"
	local own
	own=$(q out.json .target.stacks.procscope_samples)
	assert_ge "$own" 1
	assert_eq "$own" "$(awk '/procscope:/ { n += $NF } END { print n + 0 }' out.folded)" \
		"samples in our programs, as the folded file counts them"
}
