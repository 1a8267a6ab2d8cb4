# shellcheck shell=bash
# Containers and services by the names users know (src/lib/cgident.c): a real Podman
# container (an image imported offline from busybox-static, run by runc), and cgroup
# directories made the way systemd, Docker, containerd and Kubernetes name theirs.
# -c takes the name; the report's processes carry unit and container; Prometheus
# series carry unit, container_id, pod_uid.

# The cgroup2 mount.
cg_mount() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

# Run a sleeper in cgroup $1 (made, below the mount), killed at the end of the test.
sleeper_in() {
	local dir=$1 mnt
	mnt=$(cg_mount)
	mkdir -p "$mnt/$dir"
	"$WL/sleeper" 100000 10 > /dev/null &
	BG_PIDS+=($!)
	echo $! > "$mnt/$dir/cgroup.procs"
	at_exit "kill -KILL $! 2> /dev/null"
}

# Remove the cgroup tree $1 (below the mount), deepest first, once its processes are gone.
cg_remove() {
	local mnt
	mnt=$(cg_mount)
	sleep 0.2
	find "$mnt/$1" -depth -type d -exec rmdir {} + 2> /dev/null || true
}

test_podman_container_by_its_id() {
	local img=localhost/procscope-test:$$ name=procscope-test-$$ id port ps
	command -v podman > /dev/null && command -v runc > /dev/null || die "no podman or runc"
	mkdir -p root/bin
	cp "$(command -v busybox)" root/bin/busybox
	for c in sh dd sleep; do ln -s busybox "root/bin/$c"; done
	tar -C root -cf image.tar .
	podman import image.tar "$img" > import.txt 2>&1 || die "podman import: $(cat import.txt)"
	at_exit "podman rmi -f '$img' > /dev/null 2>&1"
	at_exit "podman rm -f '$name' > /dev/null 2>&1"
	podman --runtime runc run -d --name "$name" --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$img" /bin/sh -c \
		'while :; do dd if=/dev/zero of=/dev/null bs=64k count=200 2> /dev/null; sleep 0.05; done' \
		> run.txt 2>&1 || die "podman run: $(cat run.txt)"
	id=$(podman inspect -f '{{.Id}}' "$name")
	[ ${#id} -eq 64 ] || die "container id '$id'"
	port=$(free_port)
	# by the 12 digits podman ps shows
	"$PROCSCOPE" -c "${id:0:12}" -d 2 -i 1 --prometheus "127.0.0.1:$port" --json -o out.json &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt && grep -q 'comm=\"dd\"' metrics.txt"
	wait "$ps"
	assert_match "$(q out.json .target.description)" "^podman container ${id:0:12} \\(/.*libpod-$id"
	assert_ge "$(report out.json | jq '[.processes[] | select(.comm == "dd")] | length')" 2
	assert_eq "$(report out.json | jq -r '[.processes[] | .container.runtime] | unique | join(",")')" podman
	assert_eq "$(report out.json | jq -r '[.processes[] | .container.id] | unique | join(",")')" "$id"
	assert_eq "$(report out.json | jq -r '[.processes[] | .unit] | unique | join(",")')" ""
	grep -q "^procscope_cpu_seconds_total{comm=\"dd\",cgroup=\"[^\"]*libpod-$id\",container_id=\"$id\"}" \
		metrics.txt || die "no container_id label: $(grep cpu_seconds_total metrics.txt)"
	# the whole id works too; too short a prefix does not
	"$PROCSCOPE" -c "$id" -d 0.5 --json -o out2.json 2> err.txt || die "$(cat err.txt)"
	assert_eq "$(q out2.json .target.kind)" cgroup
	check_error 1 "'${id:0:11}' is not a cgroup v2 directory, a systemd unit or a container id" \
		-c "${id:0:11}" -d 1
}

# A unit, a Docker container of the systemd driver, a Kubernetes pod's containerd
# container: directories named as those managers name them, a process in each.
test_units_docker_and_pods_by_name() {
	local s=procscope-test-$$.slice id uid port ps
	id=$(printf '%064x' $$)
	uid=0a1b2c3d-4e5f-6071-8293-$(printf '%012x' $$)
	sleeper_in "$s/etl-$$.service"
	sleeper_in "$s/docker-$id.scope"
	sleeper_in "$s/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$id.scope"
	at_exit "cg_remove '$s'"
	# a unit by its name
	"$PROCSCOPE" -c "etl-$$.service" -d 0.5 --json -o unit.json 2> err.txt || die "$(cat err.txt)"
	assert_match "$(q unit.json .target.description)" "^etl-$$.service \\(/"
	assert_eq "$(q unit.json '.processes[0].unit')" "etl-$$.service"
	assert_eq "$(q unit.json '.processes[0].container')" null
	# an id that two cgroups carry (the Docker one and the pod's): said, in one line
	check_error 1 "'${id:0:12}' names more than one cgroup" -c "${id:0:12}" -d 1
	assert_eq "$(wc -l < err.txt)" 1
	# the pod: by its cgroup path, its container and pod in the report and the series
	port=$(free_port)
	"$PROCSCOPE" -c "$s/kubepods-burstable-pod${uid//-/_}.slice" -d 2 -i 1 \
		--prometheus "127.0.0.1:$port" --json -o pod.json &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt && grep -q 'comm=\"sleeper\"' metrics.txt"
	wait "$ps"
	assert_match "$(q pod.json .target.description)" "^pod $uid \\(burstable\\)"
	assert_eq "$(q pod.json '.processes[0].container | [.runtime, .id, .pod_uid, .qos] | join(",")')" \
		"containerd,$id,$uid,burstable"
	grep -q "container_id=\"$id\",pod_uid=\"$uid\"}" metrics.txt ||
		die "no container_id and pod_uid labels: $(grep cpu_seconds_total metrics.txt)"
}
