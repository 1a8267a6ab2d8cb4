#!/usr/bin/env bash
# Install every package procscope needs to build, test and benchmark, from Debian's
# archive by name. Idempotent: packages already present are left alone, and apt is
# only asked when something is missing.
#   usage: tools/install-deps.sh [build|test|bench|all]   (default: all)
set -euo pipefail

# build: g++ too, for the C++ test workload (make workloads, which the demo builds);
# libmicrohttpd serves --prometheus (over TLS: GnuTLS), libyaml reads its --web-config,
# libcrypt checks its users' bcrypt hashes
build_pkgs=(make gcc g++ pkg-config clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool linux-libc-dev
	libmicrohttpd-dev libyaml-dev libcrypt-dev)
# test: jq parses NDJSON; taskset (util-linux) pins CPUs; ip/tc (iproute2) build veth
# pairs and shape them; libxml2-utils checks SVG is XML; protobuf-compiler decodes
# pprof; binutils strips test binaries (objcopy makes their debug files); nodejs
# writes a perf map for JIT frames; libc6-dbg has the C library's symbols, which
# Debian strips from libc.so.6 (procscope finds them by build id, like gdb);
# clang-format-14 is the formatter make format-check pins; prometheus (server and
# promtool) scrapes --prometheus in the tests; systemd's systemd-analyze checks the
# unit make install puts in. chromium loads the --html page in the tests (driven by
# playwright-core, which the test installs with npm into build/node).
test_pkgs=(jq util-linux procps iproute2 libxml2-utils protobuf-compiler binutils libc6-dbg nodejs
	prometheus systemd chromium
	clang-format-14
	# the man page is checked with groff and found with man (test_docs.sh, test_monitor.sh)
	groff-base man-db bash
	# make deb, and the package test (test_package.sh): debhelper builds, lintian checks
	debhelper dpkg-dev fakeroot lintian
	# a real container for -c by id (test_containers.sh: crun refuses this hybrid host)
	podman runc
	# the kernel matrix: qemu boots Debian's kernels with a busybox initramfs; xz
	# unpacks their modules, e2fsprogs formats the guest's scratch disk, strace is a
	# ground truth there too
	qemu-system-x86 busybox-static xz-utils e2fsprogs strace
	# real programs for the field scenarios (tests/integration/test_field.sh), a real
	# database a client waits on (test_peers.sh: its own cluster, in a temp dir), and
	# managed runtimes with threads of their own (test_runtimes.sh: node above, a JVM, Go)
	curl python3 sqlite3 postgresql-15 default-jdk-headless golang-go
	# a certificate for the endpoint's TLS (test_prometheus.sh)
	openssl
	# libFuzzer and the sanitizers' runtimes for clang (make fuzz)
	libclang-rt-14-dev
	# the bench smoke (bench/smoke.sh): the tracers the benchmarks compare with attach
	bpftrace libbpf-tools)
# bench: the peer tools measured side by side (perf: its DWARF unwinding; time: its
# post-processing CPU) and the workload generators (stress-ng: the soak's fork storm).
bench_pkgs=(libbpf-tools bpftrace fio sockperf linux-perf time stress-ng)

want=()
case ${1:-all} in
build) want=("${build_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
*) echo "install-deps: unknown group '$1' (build, test, bench or all)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm: Debian's package, unless the Node.js installed brings its own (NodeSource's does)
case ${1:-all} in test | all) command -v npm > /dev/null || missing+=(npm) ;; esac
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
