# shellcheck shell=bash
# throttled_cgroup DEV IOPS: a cgroup whose writes to block device DEV ("major:minor")
# are limited to IOPS requests per second, like a small cloud volume: blkio (cgroup v1)
# where it is mounted, else io.max (cgroup v2). Prints its path; a process moves in
# with `echo PID > PATH/cgroup.procs`. Used by the disk scenario (tests, benchmarks).
throttled_cgroup() {
	local dev=$1 iops=$2 v1 v2 cg
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)blkio(,|$)/ { print $2; exit }' /proc/self/mounts)
	if [ -n "$v1" ]; then
		cg=$v1/procscope-throttle
		mkdir -p "$cg"
		echo "$dev $iops" > "$cg/blkio.throttle.write_iops_device"
	else
		v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		echo +io > "$v2/cgroup.subtree_control"
		cg=$v2/procscope-throttle
		mkdir -p "$cg"
		echo "$dev wiops=$iops" > "$cg/io.max"
	fi
	echo "$cg"
}
