# shellcheck shell=bash
# User stacks of code built without frame pointers -- as Debian builds every package --
# walked in the kernel from the files' unwind tables: the whole chain from the
# program's entry, named, with no frame outside the process's code; on-CPU and
# off-CPU; executables, shared libraries, stripped binaries with a separate debug
# file; C++, Debian's own python3 and gzip; and JIT code named from a perf map (one
# the process planted: only as perf trusts it).

# Share (0..1) of the samples (last field) of FILE's stacks of COMM holding TEXT
# (of those holding WITHIN, if given).
share_with() {
	awk -v comm="$2" -v text="$3" -v within="${4:-}" '
		index($0, comm ";") == 1 && index($0, within) > 0 {
			n = $NF; total += n; if (index($0, text) > 0) hit += n
		}
		END { if (total) printf "%.3f\n", hit / total; else print 0 }' "$1"
}

# Every user frame in FILE is in the process's code: no "[unknown]+0x..." addresses.
assert_no_stray_frames() {
	assert_eq "$(grep -c '\[unknown\]' "$1" || true)" 0 \
		"frames outside any mapping: $(grep -m2 '\[unknown\]' "$1" || true)"
}

# FILE's samples of COMM: the chain CHAIN in 90%; and in the report JSON, 95% of the
# user stacks walked to the outermost frame (the program's _start, or ld.so's while it
# loads the program: a walk the unwind tables end, not one that gave up). Under
# software emulation (the kernel matrix: PROCSCOPE_TEST_SLOW), a process's first
# milliseconds -- before procscope has read its mappings -- last ten times longer and
# hold a larger share of the stacks: 80% and 85% there.
assert_whole_chain() {
	assert_ge "$(share_with "$1" "$2" "$3")" "${PROCSCOPE_TEST_SLOW:+0.8}${PROCSCOPE_TEST_SLOW:-0.9}" \
		"share in '$3': $(sort -t' ' -k2 -nr "$1" | head -n2)"
	assert_ge "$(q "$4" '.target.stacks | .user_stacks_complete / .user_stacks')" \
		"${PROCSCOPE_TEST_SLOW:+0.85}${PROCSCOPE_TEST_SLOW:-0.95}" \
		"walks that reached the entry: $(q "$4" .target.stacks)"
	assert_no_stray_frames "$1"
}

test_no_frame_pointers_whole_chain() {
	"$PROCSCOPE" --folded exe.txt --json -o exe.json -- "$WL/stacks-nofp" 700
	assert_whole_chain exe.txt stacks-nofp ";__libc_start_call_main;main;outer;middle;hot" exe.json
	assert_eq "$(q exe.json .target.stacks.unwind)" cfi
	"$PROCSCOPE" --folded lib.txt --json -o lib.json -- "$WL/stacks-nofp-lib" 700
	assert_whole_chain lib.txt stacks-nofp-lib ";main;lib_outer;lib_middle;lib_hot" lib.json
}

# Frame pointers alone lose the callers of such code: what --unwind fp still gives.
test_frame_pointers_only_when_asked() {
	"$PROCSCOPE" --unwind fp --folded fp.txt --json -o fp.json -- "$WL/stacks-nofp" 500
	assert_eq "$(q fp.json .target.stacks.unwind)" fp
	assert_le "$(share_with fp.txt stacks-nofp ";main;outer;middle;hot")" 0.1
	assert_eq "$(q fp.json .target.stacks.user_stacks_complete)" 0
	assert_ge "$(share_with fp.txt stacks-nofp ";hot")" 0.8 "the leaf is still right"
}

# Stripped of every symbol, named from a separate debug file: found by its
# .gnu_debuglink (next to it), or by build id under a debug directory.
test_separate_debug_files() {
	"$PROCSCOPE" --folded linked.txt --json -o linked.json -- "$WL/stacks-nofp-linked" 600
	assert_whole_chain linked.txt stacks-nofp-lin ";main;outer;middle;hot" linked.json
	PROCSCOPE_DEBUG_DIR=$WL/debug:/usr/lib/debug "$PROCSCOPE" --folded bid.txt --json -o bid.json \
		-- "$WL/stacks-nofp-bid" 600
	assert_whole_chain bid.txt stacks-nofp-bid ";main;outer;middle;hot" bid.json
	# without the debug file: the same stacks, each function named by its start address
	"$PROCSCOPE" --folded none.txt -o none.out -- "$WL/stacks-nofp-bid" 600
	assert_ge "$(share_with none.txt stacks-nofp-bid ";__libc_start_call_main;")" 0.9
	assert_eq "$(share_with none.txt stacks-nofp-bid ";main;")" 0.000 "named without symbols"
	assert_ge "$(awk '{ sub(/ [0-9]+$/, ""); n = split($0, f, ";"); for (i = 2; i <= n; i++)
		if (f[i] ~ /^stacks-nofp-bid\+0x/) seen[f[i]] = 1 } END { print length(seen) }' none.txt)" 4 \
		"main, outer, middle, hot: one name each"
}

# C++ as g++ -O2 builds it: the standard library's templates below main.
test_cpp_without_frame_pointers() {
	"$PROCSCOPE" --folded cpp.txt --json -o cpp.json -- "$WL/sortmap" 1.5 > /dev/null
	assert_ge "$(share_with cpp.txt sortmap ";main;")" 0.95
	assert_ge "$(share_with cpp.txt sortmap ";_start;")" 0.95
	assert_ge "$(q cpp.json '.target.stacks | .user_stacks_complete / .user_stacks')" 0.95
	assert_ge "$(share_with cpp.txt sortmap "std::")" 0.3 "std::map and std::sort frames"
	assert_no_stray_frames cpp.txt
}

# Debian's own builds, not ours: python3 running Python, gzip compressing.
test_debian_python_and_gzip() {
	"$PROCSCOPE" --folded py.txt -o py.out -- /usr/bin/python3 -c '
import time
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
end = time.time() + 1.5
while time.time() < end: fib(15)'
	assert_ge "$(share_with py.txt python3 ";Py_BytesMain;")" 0.95
	# the interpreter's loop ran Python code: its frames stand where it ran them
	assert_ge "$(share_with py.txt python3 ";fib (<string>:3)")" 0.8 "Python frames"
	assert_eq "$(share_with py.txt python3 ";_PyEval_EvalFrameDefault")" 0.000 "the loop itself"
	assert_no_stray_frames py.txt
	head -c $((40 << 20)) /dev/urandom > data # ~1 s of gzip -9: the loader's and exit's few samples under 5%
	"$PROCSCOPE" --folded gz.txt -o gz.out -- /usr/bin/gzip -9 -c data > /dev/null
	assert_ge "$(share_with gz.txt gzip ";__libc_start_call_main;")" 0.95
	assert_no_stray_frames gz.txt
}

# Off-CPU: where code without frame pointers blocks, with the whole chain.
test_offcpu_without_frame_pointers() {
	"$PROCSCOPE" --offcpu --folded-offcpu off.txt --json -o off.json -- "$WL/stacks-nofp" 300 block
	assert_whole_chain off.txt stacks-nofp ";main;outer;middle;hot;" off.json
	# of the time blocked in hot(), the naps' (its first faults are taken in main)
	assert_ge "$(share_with off.txt stacks-nofp "clock_nanosleep" ";hot;")" 0.9 \
		"blocked in the nap: $(sort -t' ' -k2 -nr off.txt | head -3 | cut -c1-300)"
}

# JIT code: node writes /tmp/perf-PID.map (--perf-basic-prof); its frames are named
# from it, and the walk goes on through them to the program's entry.
test_jit_frames_from_a_perf_map() {
	cat > jit.js << 'EOF'
function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * (i % 7); return s; }
function middleFn(n) { return hotLoop(n) + 1; }
function outerFn() { const end = Date.now() + 1500; let t = 0; while (Date.now() < end) t += middleFn(200000); return t; }
console.log(outerFn() > 0);
EOF
	"$PROCSCOPE" --folded js.txt --pprof js.pb.gz --json -o js.json -- node --perf-basic-prof jit.js \
		> /dev/null
	rm -f "/tmp/perf-$(q js.json '.processes[0].pid').map"
	assert_ge "$(share_with js.txt node "hotLoop")" 0.4 "samples in the JIT's hotLoop: $(sort -t' ' -k2 -nr js.txt | head -1 | cut -c1-300)"
	assert_ge "$(share_with js.txt node ";_start;")" 0.9
	zcat js.pb.gz | protoc --decode_raw > js.pb.txt
	grep -q 'JS:\*hotLoop' js.pb.txt || die "no JIT name in the pprof profile"
}

# A perf map is the profiled process's file, read by root: used only as perf uses it --
# a regular file of the process's user (or root), never through a symlink -- and a FIFO
# planted there is refused without waiting for a writer. The JIT code (jitmap, run as
# nobody) sits at a fixed address; each case plants its map while the process waits.
jit_with_map() {
	local how=$1 wpid map rc=0
	WL_WAIT=1 "$PROCSCOPE" --folded "$how.txt" -o "$how.out" -- \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$WL/jitmap" 400 > "$how.wl" &
	local ps=$!
	BG_PIDS+=($ps)
	wait_for "$how.wl" '^ready'
	wpid=$(awk '/^ready/ { print $2 }' "$how.wl")
	map=/tmp/perf-$wpid.map
	at_exit "rm -f $map"
	case $how in
	own | other) printf '3e0000000 10 jit_%s\n' "$how" > "$map" ;;
	symlink) # a root-only file the process may not read itself
		printf '3e0000000 10 jit_secret\n' > secret.map
		chmod 600 secret.map
		ln -s "$T/secret.map" "$map" ;;
	fifo) mkfifo "$map" ;;
	esac
	chown -h "$([ "$how" = other ] && echo daemon || echo nobody)" "$map"
	kill -USR1 "$wpid"
	wait "$ps" || rc=$?
	assert_eq "$rc" 0 "procscope's exit status ($how)"
	# the JIT code was sampled, named or not (400 ms at 99 Hz)
	assert_ge "$(awk 'index($0, "jitmap;") == 1 { n += $NF } END { print n + 0 }' "$how.txt")" 20 \
		"samples of jitmap ($how)"
}

test_perf_map_planted_by_an_unprivileged_process() {
	jit_with_map own
	assert_ge "$(share_with own.txt jitmap ";jit_own")" 0.8 "its own map: $(head -3 own.txt)"
	jit_with_map other
	assert_eq "$(grep -c 'jit_other' other.txt || true)" 0 "another user's map"
	jit_with_map symlink
	assert_eq "$(grep -c 'jit_secret' symlink.txt || true)" 0 "a symlink to root's file"
	jit_with_map fifo
}

# A container's perf map is read within its root: a /tmp that is a symlink to an
# absolute path leads there in the container, not to the host's file of that path.
test_perf_map_of_a_chroot_stays_inside() {
	local r=$T/root wpid rc=0
	mkdir -p "$r/usr" hostside
	for d in bin lib lib64; do ln -s "usr/$d" "$r/$d"; done
	mount --bind -o ro /usr "$r/usr"
	at_exit "umount '$r/usr'"
	cp "$WL/jitmap" "$r/"
	ln -s "$T/hostside" "$r/tmp"
	WL_WAIT=1 "$PROCSCOPE" --folded ch.txt -o ch.out -- \
		chroot --userspec=nobody:nogroup "$r" /jitmap 400 > ch.wl &
	local ps=$!
	BG_PIDS+=($ps)
	wait_for ch.wl '^ready'
	wpid=$(awk '/^ready/ { print $2 }' ch.wl)
	# where the symlink leads on the host: root's file, never the container's to name
	printf '3e0000000 10 jit_escaped\n' > "hostside/perf-$wpid.map"
	kill -USR1 "$wpid"
	wait "$ps" || rc=$?
	assert_eq "$rc" 0 "procscope's exit status"
	assert_ge "$(awk 'index($0, "jitmap;") == 1 { n += $NF } END { print n + 0 }' ch.txt)" 20 \
		"samples of jitmap"
	assert_eq "$(grep -c 'jit_escaped' ch.txt || true)" 0 "a map outside the container's root"
}

# A program's debug link names a file in the program's own directory: one its owner
# (nobody here) can plant. A FIFO there, and a symlink to /dev/zero in .debug/, are
# passed over -- neither waited on nor read without end -- and the run ends as usual.
test_debug_link_planted_by_an_unprivileged_process() {
	local rc=0
	mkdir home
	cp "$WL/stacks-nofp-linked" home/
	chown -R nobody home
	chmod o+x "$T"
	timeout -k 5 60 "$PROCSCOPE" --folded planted.txt -o planted.out -- \
		setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c '
		cd home && mkfifo stacks-nofp-linked.debug && mkdir .debug &&
		ln -s /dev/zero .debug/stacks-nofp-linked.debug && exec ./stacks-nofp-linked 400' || rc=$?
	assert_eq "$rc" 0 "procscope's exit status (124: it hung)"
	assert_eq "$(share_with planted.txt stacks-nofp-lin ";main;")" 0.000 "no symbols from a FIFO or a device"
	assert_ge "$(share_with planted.txt stacks-nofp-lin ";__libc_start_call_main;")" 0.9
}

# A program in an overlay filesystem (a container's root): procscope opens it by its
# path, the kernel maps the real file underneath -- two inodes, one build id.
test_program_in_an_overlay() {
	mkdir lower upper work merged
	cp "$WL/stacks-nofp" lower/
	mount -t overlay overlay -o "lowerdir=$T/lower,upperdir=$T/upper,workdir=$T/work" merged
	at_exit "umount '$T/merged' 2> /dev/null" # whatever happens (a test killed by a timeout too)
	local rc=0
	"$PROCSCOPE" --folded ov.txt --json -o ov.json -- merged/stacks-nofp 600 || rc=$?
	umount merged
	assert_eq "$rc" 0 "procscope's exit status"
	assert_whole_chain ov.txt stacks-nofp ";main;outer;middle;hot" ov.json
}
