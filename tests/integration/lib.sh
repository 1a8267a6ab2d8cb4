# shellcheck shell=bash
# Helpers for integration tests. Each test_*.sh file defines functions named test_*;
# run.sh runs each in its own subshell with `set -eEuo pipefail`, a fresh $T (temp
# directory) and cleanup of background processes. A test passes if it returns 0.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROCSCOPE=${PROCSCOPE:-$ROOT/procscope}
WL=$ROOT/tests/workloads/bin
# every program procscope has, from its own registry (run.sh sets it once per run)
PROCSCOPE_PROGS=${PROCSCOPE_PROGS:-}

BG_PIDS=()

die() {
	echo "    $*" >&2
	exit 1
}

# Background processes started with bg are killed when the test ends.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

# Commands to run when the test ends, whatever happens (before its files are kept).
EXIT_HOOKS=()
at_exit() { EXIT_HOOKS+=("$1"); }
run_exit_hooks() {
	local h
	for h in "${EXIT_HOOKS[@]}"; do eval "$h" || true; done
}

cleanup_bg() {
	local p
	for p in "${BG_PIDS[@]:-}"; do
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}

assert_eq() { [ "$1" == "$2" ] || die "expected '$2', got '$1'${3:+ ($3)}"; }
assert_ne() { [ "$1" != "$2" ] || die "expected anything but '$2'${3:+ ($3)}"; }
assert_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }' || die "expected $1 >= $2${3:+ ($3)}"; }
assert_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' || die "expected $1 <= $2${3:+ ($3)}"; }
# assert_within VALUE EXPECTED PERCENT [what]
assert_within() {
	awk -v v="$1" -v e="$2" -v p="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(d <= e * p / 100) }' ||
		die "expected $1 within $3% of $2${4:+ ($4)}"
}
assert_match() { [[ "$1" =~ $2 ]] || die "expected '$1' to match /$2/${3:+ ($3)}"; }
assert_no_match() { [[ ! "$1" =~ $2 ]] || die "expected '$1' not to match /$2/${3:+ ($3)}"; }

# The final report record of an NDJSON file.
report() { jq -c 'select(.type == "report")' "$1"; }

# jq on the final report: q FILE FILTER
q() { report "$1" | jq -r "$2"; }

# A process object by its comm: proc FILE COMM
proc_by_comm() { report "$1" | jq -c --arg c "$2" '[.processes[] | select(.comm == $c)]'; }

# Syscall count in an object path: sc_count FILE JQPATH NAME
sc_count() { q "$1" "[$2.syscalls[] | select(.name == \"$3\") | .count] | add // 0"; }

# Wait (up to 10 s) until FILE contains PATTERN.
wait_for() {
	local file=$1 pat=$2 i
	for i in $(seq 1 200); do
		grep -q -- "$pat" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	die "timed out waiting for '$pat' in $file: $(cat "$file" 2>/dev/null)"
}

# Run COMMAND (a shell string) until it succeeds, for up to 20 s.
wait_for_cmd() {
	local i
	for i in $(seq 1 200); do
		eval "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "timed out waiting for: $1"
}

# Start a workload with WL_WAIT=1 in the background; prints its pid once it waits at its gate.
start_gated() {
	local out
	out=$(mktemp "$T/gated.XXXXXX")
	WL_WAIT=1 "$@" > "$out" &
	BG_PIDS+=($!)
	wait_for "$out" '^ready'
	awk '/^ready/ { print $2; exit }' "$out"
}

# The BPF programs process PID holds, by name: its descriptors' fdinfo names the
# programs (and the programs of its links). Debian's bpftool cannot list owners.
prog_ids_of() {
	{ awk '$1 == "prog_id:" { print $2 }' /proc/"$1"/fdinfo/* 2> /dev/null || true; } | sort -un
}
progs_of() {
	local ids
	ids=$(prog_ids_of "$1" | paste -sd, -)
	# one listing: the process may exit while we read
	{ bpftool prog show -j 2> /dev/null || echo '[]'; } |
		jq -r --argjson ids "[${ids}]" '.[] | select(.id as $x | $ids | index($x)) | .name'
}

# procscope's programs loaded since this test began that no process holds: a leak.
# (Other procscope instances on the host hold theirs; the kernel frees detached
# programs after an RCU grace period, hence the few seconds of patience.)
leaked_progs() {
	local held
	held=$(cat /proc/[0-9]*/fdinfo/* 2> /dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u)
	bpftool prog show -j 2> /dev/null |
		jq -r --argjson since "${PROG_ID_BEFORE:-0}" '.[] | select(.id > $since) | "\(.id) \(.name)"' |
		grep -wF -f <(tr ' ' '\n' <<< "$PROCSCOPE_PROGS") |
		grep -vwF -f <(echo "${held:-none}") || true
}

assert_nothing_loaded() {
	local left i
	for i in $(seq 1 50); do
		left=$(leaked_progs)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	die "BPF programs left loaded: $(echo $left)"
}

# Run procscope expecting failure: check_error RC PATTERN ARGS...
check_error() {
	local want=$1 pat=$2 rc=0
	shift 2
	"$PROCSCOPE" "$@" > out.txt 2> err.txt || rc=$?
	assert_eq "$rc" "$want" "exit status of procscope $*"
	grep -q -- "$pat" err.txt || die "stderr lacks '$pat': $(cat err.txt)"
	[ ! -s out.txt ] || die "a report was written: $(head -c 200 out.txt)"
	assert_nothing_loaded
}

cgroup2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

# A cgroup of our own, as CG (absolute) and CG_REL (relative to the mount).
make_cgroup() {
	local root
	root=$(cgroup2_root)
	[ -n "$root" ] || die "no cgroup2 mount"
	CG_REL=procscope-mon-$$
	CG=$root/$CG_REL
	mkdir -p "$CG"
}

drop_cgroup() {
	local root
	root=$(cgroup2_root)
	[ -d "$CG" ] || return 0
	while read -r pid; do echo "$pid" > "$root/cgroup.procs" 2> /dev/null || true; done < "$CG/cgroup.procs"
	rmdir "$CG" 2> /dev/null || true
}

# A TCP port nothing listens on, below the kernel's ephemeral range (32768 and up),
# so no outgoing connection holds it either.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		[ -z "$(ss -Htln "sport = :$p")" ] && break
	done
	echo "$p"
}

# Two namespaces joined by a veth pair (NS_A, NS_B; B's address NS_DST); the caller
# removes them with netns_cleanup, in its EXIT trap.
netns_pair() {
	NS_A=ps-a-$$ NS_B=ps-b-$$
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip link add "va$$" type veth peer name "vb$$"
	ip link set "va$$" netns "$NS_A"
	ip link set "vb$$" netns "$NS_B"
	ip -n "$NS_A" addr add 10.231.$(($$ % 200)).1/24 dev "va$$"
	ip -n "$NS_B" addr add 10.231.$(($$ % 200)).2/24 dev "vb$$"
	ip -n "$NS_A" link set "va$$" up
	ip -n "$NS_B" link set "vb$$" up
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	NS_DST=10.231.$(($$ % 200)).2
}
netns_cleanup() {
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

# A Perfetto trace (--trace, --flight-recorder's dumps) decoded: by protoc against the
# message definitions of Perfetto's format (the wire format is sound), and summarized
# into $1.json by the tests' own decoder.
PFTRACE=$ROOT/tests/integration/tools/pftrace.py
decode_trace() {
	protoc --decode=pftrace.Trace -I "$ROOT/tests/integration/data" perfetto_subset.proto \
		< "$1" > "$1.txt" 2> protoc.err || die "protoc cannot decode $1: $(cat protoc.err)"
	python3 "$PFTRACE" "$1" > "$1.json"
}

# A --web-config file, web.yml: TLS (cert.pem, key.pem for 127.0.0.1) and user alice,
# password s3cret.
web_config_files() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 > openssl.log 2>&1 ||
		die "openssl: $(tail -2 openssl.log)"
	# Debian's python3 hashes with libcrypt, bcrypt at cost 10 (rounds 2^10)
	printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  alice: %s\n' \
		"$(/usr/bin/python3 -W ignore -c 'import crypt
print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))')" > web.yml
}
