# shellcheck shell=bash
# procscope(8) and the bash completion, generated from the option table
# (src/app/docgen.c): every option of --help in both, the page clean under groff, and
# the completion completing what each option takes (bash's own complete machinery:
# COMP_WORDS in, COMPREPLY out).

# The long options --help lists (subsystem ones included), one per line.
help_options() {
	"$ROOT/procscope" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9-]+' |
		sed 's/.*--/--/' | sort -u
}

test_man_page_has_every_option_and_renders_clean() {
	local page=$ROOT/build/procscope.8 o n=0
	[ -s "$page" ] || die "no $page (make)"
	for o in $(help_options); do
		# in roff, each '-' of an option is '\-'
		grep -qF -- "$(sed 's/-/\\-/g' <<< "$o")" "$page" || die "the man page lacks $o"
		n=$((n + 1))
	done
	[ "$n" -gt 40 ] || die "only $n options in --help"
	groff -man -ww -z "$page" 2> warn.txt
	[ ! -s warn.txt ] || die "groff: $(cat warn.txt)"
	# the sections a man page has, and --help's exit statuses in EXIT STATUS
	groff -man -Tutf8 "$page" 2> /dev/null | sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' > page.txt
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "ALERT METRICS" "EXIT STATUS" SIGNALS FILES \
		EXAMPLES "SEE ALSO"; do
		grep -q "^$s\$" page.txt || die "no section $s"
	done
	grep -q "fail-on-alert, 3 if any alert fired" page.txt || die "$(cat page.txt)"
	grep -q "runq.p99" page.txt || die "no metric names"
}

# complete WORD...: COMPREPLY, one per line, for the command line WORD... (the last the
# word being completed; "" for an empty one), as bash splits it (--opt=V: --opt = V)
complete_words() {
	# shellcheck disable=SC1091
	source "$ROOT/build/procscope.bash"
	COMP_WORDS=(procscope "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_procscope
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

test_completion_completes_what_each_option_takes() {
	local o
	[ -s "$ROOT/build/procscope.bash" ] || die "no build/procscope.bash (make)"
	bash -n "$ROOT/build/procscope.bash"
	# every option of --help
	for o in $(help_options); do
		complete_words "$o" | grep -qx -- "$o" || die "$o is not completed"
	done
	[ "$(complete_words --flameg)" = --flamegraph ] || die "--flameg: $(complete_words --flameg)"
	[ "$(complete_words --no-s | tr '\n' ' ')" = "--no-sched --no-syscalls " ] ||
		die "--no-s: $(complete_words --no-s)"
	# subsystems, a comma-separated list
	[ "$(complete_words --only sc)" = sched ] || die "--only sc: $(complete_words --only sc)"
	[ "$(complete_words --only sched,sy)" = sched,syscalls ] ||
		die "--only sched,sy: $(complete_words --only sched,sy)"
	# metric names after --alert, choices after --unwind= (three words for bash)
	[ "$(complete_words --alert runq.p9 | tr '\n' ' ')" = "runq.p90 runq.p99 " ] ||
		die "--alert runq.p9: $(complete_words --alert runq.p9)"
	[ "$(complete_words --unwind = "" | tr '\n' ' ')" = "cfi fp " ] ||
		die "--unwind=: $(complete_words --unwind = "")"
	[ "$(complete_words --syscall-timing = a | tr '\n' ' ')" = "adaptive all " ] ||
		die "--syscall-timing=a: $(complete_words --syscall-timing = a)"
	# files where a file goes, pids, and nothing for a number
	touch report.json
	[ "$(complete_words -o rep)" = report.json ] || die "-o rep: $(complete_words -o rep)"
	complete_words -p "$$" | grep -qx "$$" || die "-p $$: $(complete_words -p "$$")"
	[ -z "$(complete_words -d "")" ] || die "-d: $(complete_words -d "")"
	# past options and their values: options again; past the command: its words
	[ "$(complete_words -d 5 --js)" = --json ] || die "-d 5 --js: $(complete_words -d 5 --js)"
	complete_words -- ech | grep -qx echo || die "-- ech: $(complete_words -- ech)"
	complete_words -i 1 sleep 1 rep | grep -qx report.json ||
		die "the command's arguments: $(complete_words -i 1 sleep 1 rep)"
}

# The cgroup of -c: directories under the cgroup2 mount, or absolute ones.
test_completion_of_cgroups() {
	local mnt d
	mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$mnt" ] || { echo "no cgroup2 mount: nothing to complete"; return 0; }
	d=$(cd "$mnt" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | head -n1)
	[ -n "$d" ] || { echo "no cgroup under $mnt: nothing to complete"; return 0; }
	complete_words -c "${d:0:3}" | grep -qxF -- "$d" || die "-c ${d:0:3}: $(complete_words -c "${d:0:3}")"
	complete_words --cgroup "$mnt/${d:0:3}" | grep -qxF -- "$mnt/$d" ||
		die "--cgroup $mnt/${d:0:3}: $(complete_words --cgroup "$mnt/${d:0:3}")"
}
