# shellcheck shell=bash
# Python frames: Debian's python3 (CPython 3.11) walked in the kernel from the
# thread's interpreter state, spliced into the native stacks where the interpreter's
# loop ran them, named "function (file.py:line)" -- on-CPU and off-CPU, for every
# thread, in processes attached with -p and in short ones inside a workflow; the
# per-function shares against Python's own deterministic profiler (cProfile).

PY=/usr/bin/python3
HOT=$ROOT/tests/workloads/pyhot.py

# The line of pyhot.py that holds TEXT (the first).
line_of() {
	grep -nF -- "$1" "$HOT" | head -1 | cut -d: -f1
}

# Share (0..1) of COMM's samples in FILE with a Python frame ("name (file.py:line)").
py_share() {
	awk -v comm="$2" '
		index($0, comm ";") == 1 {
			n = $NF; total += n
			if ($0 ~ /;[^;]+ \([^;]*(\.py|>)(:[0-9]+)?\)[; ]/) hit += n
		}
		END { if (total) printf "%.3f\n", hit / total; else print 0 }' "$1"
}

# COMM's samples in FILE by the innermost Python function of pyhot.py: "NAME COUNT".
py_self() {
	awk -v comm="$2" '
		index($0, comm ";") == 1 {
			n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";")
			for (i = k; i > 0; i--)
				if (index(f[i], " (pyhot.py:") > 0) {
					fn = f[i]; sub(/ \(.*/, "", fn); self[fn] += n; break
				}
		}
		END { for (x in self) print x, self[x] }' "$1"
}

# Share of NAME in a "NAME VALUE" list (FILE), of the names leaf_a, leaf_b, middle.
share_of() {
	awk -v want="$2" '$1 == "leaf_a" || $1 == "leaf_b" || $1 == "middle" { t += $2; v[$1] = $2 }
		END { printf "%.3f\n", t ? v[want] / t : 0 }' "$1"
}

# The workload's whole shape: every function named, callers first, on the lines that
# run them; the spinning thread's own; the lock wait in the waiting function, timed.
test_python_frames_named_in_order() {
	"$PROCSCOPE" --offcpu --folded on.txt --folded-offcpu off.txt --json -o r.json -- \
		"$PY" "$HOT" all 1.5 0.5
	local call main mid
	main=$(line_of "middle(20000)")
	mid=$(line_of "return leaf_a(2 * n) + leaf_b(n)")
	assert_ge "$(py_share on.txt python3)" 0.95 "samples with Python frames: $(head -3 on.txt | cut -c1-300)"
	for leaf in leaf_a leaf_b; do
		call=";<module> (pyhot.py:$(grep -nx 'main()' "$HOT" | cut -d: -f1));main (pyhot.py:$main);middle (pyhot.py:$mid);$leaf (pyhot.py:"
		grep -qF -- "$call" on.txt || die "no stack $call: $(grep -m2 pyhot on.txt | cut -c1-400)"
	done
	# the thread's Python frames are its own: threading's, then spin()
	grep -qE ";Thread\._bootstrap \(threading\.py:[0-9]+\);.*;Thread\.run \(threading\.py:[0-9]+\);([^;]*;)?spin \(pyhot\.py:[0-9]+\)" on.txt ||
		die "no spin() under Thread.run: $(grep -m2 spin on.txt | cut -c1-400)"
	# no frame of the interpreter's loop is left where Python frames stand (an import's
	# deep stack may run past the frames walked: its outer loops stay as they are)
	assert_eq "$(grep 'pyhot.py:' on.txt | grep -c '_PyEval_EvalFrameDefault' || true)" 0 \
		"interpreter loops left"
	# the lock wait: 0.5 s in waiter(), on the line of its acquire()
	local wait
	wait=$(awk -v f="waiter (pyhot.py:$(line_of "lock.acquire()  # blocks"))" \
		'index($0, f) > 0 && index($0, "PyThread_acquire_lock") > 0 { t += $NF } END { print t + 0 }' off.txt)
	assert_ge "$wait" 450000 "waiter()'s wait on the lock, us"
	assert_le "$wait" 550000 "waiter()'s wait on the lock, us"
	# the JSON counts them too
	assert_ge "$(q r.json '.target.stacks.python_stacks')" "$(q r.json '.target.stacks.user_stacks * 0.9 | floor')"
	assert_eq "$(q r.json '.self.unwind.python_processes')" 1
}

# The diagnosis names the Python functions: the CPU finding's hot path.
test_python_hot_path_in_the_diagnosis() {
	"$PROCSCOPE" -o report.txt -- "$PY" "$HOT" cpu 1.5
	grep -E -- "hot path cheaper: it is (<module> \(pyhot\.py:[0-9]+\) > )?main \(pyhot\.py:[0-9]+\) > middle \(pyhot\.py:[0-9]+\) > leaf_a \(pyhot\.py:[0-9]+\)" report.txt ||
		die "hot path: $(grep -m1 'hot path' report.txt)"
	grep -q "Python frames walked in 1 process$" report.txt || die "$(grep -i python report.txt)"
}

# CPython 3.12 and 3.13 (their layouts differ from 3.11's: a shim frame marks each eval
# call, the thread state holds its frame): pyenv's builds, where this machine has them.
test_python_other_versions() {
	local py v tested=
	for py in /root/.pyenv/versions/3.12.*/bin/python3.12 /root/.pyenv/versions/3.13.*/bin/python3.13; do
		[ -x "$py" ] || continue
		v=$(basename "$py")
		"$PROCSCOPE" --folded "$v.txt" --json -o "$v.json" -- "$py" "$HOT" cpu 0.8
		assert_ge "$(py_share "$v.txt" "$v")" 0.9 "$v: $(head -2 "$v.txt" | cut -c1-300)"
		grep -qE ";<module> \(pyhot\.py:[0-9]+\);main \(pyhot\.py:[0-9]+\);middle \(pyhot\.py:[0-9]+\);leaf_a \(pyhot\.py:[0-9]+\)" "$v.txt" ||
			die "$v: no whole chain: $(grep -m1 pyhot "$v.txt" | cut -c1-400)"
		assert_eq "$(q "$v.json" '.self.unwind.python_processes')" 1 "$v"
		tested+=" $v"
	done
	echo "  interpreters tested besides Debian's python3.11:${tested:- none at hand (pyenv 3.12, 3.13)}"
}

# --no-python-frames: the interpreter's C frames, as before Python frames were walked.
test_python_frames_turned_off() {
	"$PROCSCOPE" --no-python-frames --folded c.txt --json -o c.json -- "$PY" "$HOT" cpu 0.5
	assert_eq "$(py_share c.txt python3)" 0.000 "Python frames: $(grep -m1 'pyhot' c.txt | cut -c1-300)"
	assert_ge "$(awk '/;_PyEval_EvalFrameDefault/ { n += $NF } END { print n + 0 }' c.txt)" 30
	assert_eq "$(q c.json '.target.stacks.python_stacks')" 0
	assert_eq "$(q c.json '.self.unwind.python_processes')" 0
}

# The per-function shares agree with cProfile (run separately on the same workload):
# each function's own time, as the innermost Python frame of a sample.
test_python_shares_agree_with_cprofile() {
	# 499 Hz: ~1,000 samples, a share's sampling error ~0.015 (at 99 Hz, ~0.03: one run
	# in many was 0.107 off, beyond the 0.10 allowed)
	"$PROCSCOPE" -F 499 --folded on.txt -o /dev/null -- "$PY" "$HOT" cpu 2
	py_self on.txt python3 > ours.txt
	"$PY" -m cProfile -o prof.out "$HOT" cpu 2
	"$PY" -c '
import pstats, sys
for (f, l, name), v in pstats.Stats(sys.argv[1]).stats.items():
    if f.endswith("pyhot.py"): print(name, v[2])' prof.out > theirs.txt
	for fn in leaf_a leaf_b middle; do
		local a b
		a=$(share_of ours.txt "$fn")
		b=$(share_of theirs.txt "$fn")
		assert_le "$(awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" 0.10 \
			"$fn: procscope $a, cProfile $b ($(tr '\n' ' ' < ours.txt) / $(tr '\n' ' ' < theirs.txt))"
	done
}

# A Python process running before procscope attaches (-p) gets its frames too.
test_python_frames_of_a_process_attached_to() {
	local pid ps
	# started and past the interpreter's start (waiting in main()) before the attach
	pid=$(start_gated "$PY" "$HOT" cpu 1.5)
	"$PROCSCOPE" -v -p "$pid" --folded p.txt -o /dev/null 2> err.txt &
	ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	wait "$ps"
	assert_ge "$(py_share p.txt python3)" "${PROCSCOPE_TEST_SLOW:+0.8}${PROCSCOPE_TEST_SLOW:-0.95}" \
		"$(head -3 p.txt | cut -c1-300)"
	grep -qE ";main \(pyhot\.py:[0-9]+\);middle \(pyhot\.py:[0-9]+\);leaf_a" p.txt || die "$(head -3 p.txt)"
}

# Python processes that live a fraction of a second inside a workflow.
test_python_frames_of_short_processes() {
	"$PROCSCOPE" --folded s.txt --json -o s.json -- sh -c \
		"for i in 1 2 3 4; do $PY $HOT cpu 0.3; done"
	assert_eq "$(q s.json '.self.unwind.python_processes')" 4
	assert_ge "$(awk '/;main \(pyhot\.py:[0-9]+\);middle/ { n += $NF } END { print n + 0 }' s.txt)" 80 \
		"samples in middle() of 4 x 0.3 s at 99 Hz"
	assert_ge "$(py_share s.txt python3)" 0.85
}
