# shellcheck shell=bash
# throttled_cgroup DEV LIMIT [KIND]: a cgroup whose writes to block device DEV
# ("major:minor") are limited, like a small cloud volume: to LIMIT requests per second
# (KIND iops, the default) or LIMIT bytes per second (KIND bps). blkio (cgroup v1)
# where it is mounted, else io.max (cgroup v2). Prints its path; a process moves in
# with `echo PID > PATH/cgroup.procs`. Used by the disk scenarios (tests, benchmarks).
throttled_cgroup() {
	local dev=$1 limit=$2 kind=${3:-iops} v1 v2 cg
	case $kind in iops | bps) ;; *) echo "throttled_cgroup: KIND is iops or bps" >&2; return 2 ;; esac
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)blkio(,|$)/ { print $2; exit }' /proc/self/mounts)
	if [ -n "$v1" ]; then
		cg=$v1/procscope-throttle
		mkdir -p "$cg"
		echo "$dev $limit" > "$cg/blkio.throttle.write_${kind}_device"
	else
		v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		echo +io > "$v2/cgroup.subtree_control"
		cg=$v2/procscope-throttle
		mkdir -p "$cg"
		echo "$dev w$kind=$limit" > "$cg/io.max"
	fi
	echo "$cg"
}
