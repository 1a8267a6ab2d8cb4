# shellcheck shell=bash
# Managed runtimes: programs with threads of their own that mostly idle (node's
# helpers, the JVM's launcher thread joining main, a Python thread pool, Go's runtime
# and GC threads). Each is CPU-bound for a second: the critical path goes through who
# ended each wait, not through the idle threads, so the split is on-CPU as the program's
# own CPU time says (it prints it, from the kernel's accounting), and the finding is CPU.

RT=$ROOT/tests/workloads/runtimes
RT_BIN=$ROOT/build/runtimes

# $1 (a program's output: "cpu_ms N") against the report: on-CPU within 10 points of its
# CPU time over the wall (at most all of it), at least 80%, and the top finding CPU. With
# $2 = parallel, a program whose own threads run beside its main work (more CPU than
# wall): on-CPU and run queue -- its helpers take CPUs from it -- at least 90%.
check_cpu_bound() {
	local cpu wall truth
	cpu=$(awk '$1 == "cpu_ms" { print $2 }' "$1")
	[ -n "$cpu" ] || die "no cpu_ms from the program: $(cat "$1")"
	wall=$(q out.json .target.breakdown.wall_ns)
	truth=$(awk -v c="$cpu" -v w="$wall" 'BEGIN { t = c * 1e6 / w; printf "%.4f", (t > 1 ? 1 : t) }')
	assert_eq "$(q out.json '.findings[0].kind')" cpu
	assert_ge "$(q out.json '.target.breakdown | .oncpu_ns / .wall_ns')" 0.80 "on-CPU share"
	if [ "${2:-}" = parallel ]; then
		assert_ge "$(awk -v c="$cpu" -v w="$wall" 'BEGIN { printf "%.4f", c * 1e6 / w }')" 1 \
			"the program ran more CPU than wall (its GC beside it)"
		# the rest: the runtime's threads handing goroutines over (futex wake-ups on the
		# path), a few percent, more when procscope itself runs slower (ASan)
		assert_ge "$(q out.json '.target.breakdown | (.oncpu_ns + .runq_ns) / .wall_ns')" 0.85
		return
	fi
	awk -v a="$(q out.json '.target.breakdown | .oncpu_ns / .wall_ns')" -v t="$truth" \
		'BEGIN { d = (a - t) * 100; exit !(d <= 10 && d >= -10) }' ||
		die "on-CPU share $(q out.json '.target.breakdown | .oncpu_ns / .wall_ns') not within 10 points of the program's CPU over its wall ($truth)"
	assert_eq "$(q out.json '.path.by')" wakeups
}

test_runtime_node() {
	command -v node > /dev/null || die "nodejs is not installed (tools/install-deps.sh test)"
	"$PROCSCOPE" --json -o out.json -- node "$RT/hot.js" 1 > wl.out
	check_cpu_bound wl.out
}

test_runtime_jvm() {
	command -v javac > /dev/null || die "a JDK is not installed (tools/install-deps.sh test)"
	mkdir -p "$RT_BIN"
	[ "$RT_BIN/Hot.class" -nt "$RT/Hot.java" ] ||
		javac -d "$RT_BIN" "$RT/Hot.java" || die "javac failed"
	"$PROCSCOPE" --json -o out.json -- java -Xshare:auto -cp "$RT_BIN" Hot 1 > wl.out
	check_cpu_bound wl.out
	# the launcher's main thread joins the thread running main(): not a lock
	assert_le "$(q out.json '.target.breakdown | .lock_ns / .wall_ns')" 0.05 "lock share"
}

test_runtime_python_pool() {
	"$PROCSCOPE" --json -o out.json -- /usr/bin/python3 "$RT/pool.py" 1 > wl.out
	check_cpu_bound wl.out
	# it has no child: none of it is "child processes"
	assert_eq "$(q out.json '.target.breakdown.child_ns')" 0
}

test_runtime_go() {
	command -v go > /dev/null || die "golang-go is not installed (tools/install-deps.sh test)"
	mkdir -p "$RT_BIN"
	[ "$RT_BIN/hotgo" -nt "$RT/hot.go" ] ||
		(cd "$RT" && HOME=${HOME:-/root} GOCACHE=$RT_BIN/gocache GOPATH=$RT_BIN/gopath \
			GO111MODULE=off go build -o "$RT_BIN/hotgo" hot.go) ||
		die "go build failed"
	"$PROCSCOPE" --json -o out.json -- "$RT_BIN/hotgo" 1 > wl.out
	check_cpu_bound wl.out parallel
}

test_join_of_a_busy_worker_is_its_cpu() {
	# the main thread joins one thread that burns 0.5 s, four others idle throughout
	"$PROCSCOPE" --json -o out.json -- "$WL/threads" 1 4 0.5 > /dev/null
	assert_eq "$(q out.json '.findings[0].kind')" cpu
	# (or waiting for one: a CI run's host was busy, and the worker spent 25% of the wall
	# in the run queue -- that is right, and filed as contention)
	assert_ge "$(q out.json '.target.breakdown | (.oncpu_ns + .runq_ns) / .wall_ns')" 0.9 \
		"the worker's CPU"
	assert_le "$(q out.json '.target.breakdown | .lock_ns / .wall_ns')" 0.02 "no lock"
}
