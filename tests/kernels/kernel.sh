# shellcheck shell=bash
# Helpers of the kernel matrix (tests/kernels/run.sh): fetch a Debian kernel package
# by name without installing it, build a small initramfs around it, boot it under qemu.

KCACHE=${KCACHE:-$ROOT/build/kernels}

# apt's options for SUITE: "" for this host's own sources, else a private list of
# Debian's SUITE (bullseye), checked against Debian's keyring, under $KCACHE: the
# host's apt configuration is never touched.
apt_opts() {
	local suite=$1 d=$KCACHE/apt-$1
	APT_OPTS=(-q -o APT::Sandbox::User=root)
	[ -n "$suite" ] || return 0
	APT_OPTS+=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
	if [ ! -e "$d/.updated" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
			"http://deb.debian.org/debian $suite main" > "$d/sources.list"
		apt-get "${APT_OPTS[@]}" update > /dev/null && touch "$d/.updated"
	fi
}

# The concrete package a kernel spec [SUITE:]PACKAGE stands for (a meta-package such as
# linux-image-amd64 names the current one), as SUITE:PACKAGE.
kernel_package() {
	local spec=$1 suite= pkg dep
	[[ $spec == *:* ]] && suite=${spec%%:*}
	pkg=${spec#*:}
	apt_opts "$suite"
	dep=$(apt-cache "${APT_OPTS[@]}" depends "$pkg" 2> /dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }')
	echo "$suite:${dep:-$pkg}"
}

# Download and unpack SUITE:PACKAGE into $KCACHE/PACKAGE (once); prints that directory.
kernel_fetch() {
	local suite=${1%%:*} pkg=${1#*:} dir deb
	dir=$KCACHE/$pkg
	if [ ! -e "$dir/.done" ]; then
		rm -rf "$dir" "$KCACHE/dl.$pkg"
		mkdir -p "$KCACHE/dl.$pkg"
		apt_opts "$suite"
		(cd "$KCACHE/dl.$pkg" && apt-get "${APT_OPTS[@]}" download "$pkg") > /dev/null || return 1
		deb=$(ls "$KCACHE/dl.$pkg"/*.deb)
		dpkg-deb -x "$deb" "$dir" && rm -rf "$KCACHE/dl.$pkg" && touch "$dir/.done"
	fi
	echo "$dir"
}

# A module's file under the unpacked kernel (names use - and _ interchangeably).
module_file() {
	local mods=$1 name=$2
	find "$mods/kernel" \( -name "$name.ko" -o -name "$name.ko.xz" -o -name "${name//_/-}.ko" \
		-o -name "${name//_/-}.ko.xz" -o -name "${name//-/_}.ko" -o -name "${name//-/_}.ko.xz" \) \
		-print -quit
}

# Copy module NAME and what it depends on into DIR (decompressed), appending to
# DIR/../modules.order dependencies first. Built-in modules have no file: skipped.
module_add() {
	local mods=$1 dir=$2 name=$3 file deps d
	grep -qx "$name" "$dir/../modules.order" 2> /dev/null && return 0
	file=$(module_file "$mods" "$name")
	[ -n "$file" ] || return 0
	case $file in
	*.xz) xz -dc "$file" > "$dir/$name.ko" ;;
	*) cp "$file" "$dir/$name.ko" ;;
	esac
	deps=$(readelf -p .modinfo "$dir/$name.ko" | sed -n 's/.*depends=//p')
	for d in ${deps//,/ }; do
		module_add "$mods" "$dir" "$d"
	done
	echo "$name" >> "$dir/../modules.order"
}

# An initramfs for the unpacked kernel KDIR running CMD (in the host root) as the
# guest's program; prints its path.
kernel_initramfs() {
	local kdir=$1 cmd=$2 ver mods out tmp m
	ver=$(ls "$kdir/lib/modules")
	mods=$kdir/lib/modules/$ver
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$ROOT/tests/kernels/guest-init" "$tmp/init"
	: > "$tmp/modules.order"
	# ext4 asks for a crc32c driver at mount time: not a declared dependency
	for m in virtio_pci virtio_blk 9pnet_virtio 9p overlay ext4 crc32c_generic crc32c-intel; do
		module_add "$mods" "$tmp/modules" "$m"
	done
	printf '%s\n' "$cmd" > "$tmp/guest.cmd"
	out=$KCACHE/initramfs-$ver.cpio.gz
	(cd "$tmp" && find . | busybox cpio -o -H newc 2> /dev/null | gzip -1) > "$out"
	rm -rf "$tmp"
	echo "$out"
}

# Boot KDIR with INITRAMFS under qemu's software emulation; the guest's console on
# stdout. A scratch virtio disk (/dev/vda in the guest) is there for block IO, and
# OUTDIR is the guest's /results, the one place it can write to that outlives it.
kernel_boot() {
	local kdir=$1 initramfs=$2 timeout=$3 outdir=$4 vmlinuz disk
	vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
	disk=$(mktemp "$KCACHE/disk.XXXXXX")
	truncate -s 256M "$disk"
	# single-threaded TCG: a 6.12 guest under multi-threaded TCG panicked in
	# bpf_trace_run2 with tracepoints attached; /dev/kvm here is nested and cannot
	# run a stock kernel (-cpu host dies on MSR 0x10a)
	timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max -smp 2 -m 2048 \
		-nographic -no-reboot -serial mon:stdio -display none -nic none \
		-fw_cfg name=etc/sercon-port,string=0 \
		-kernel "$vmlinuz" -initrd "$initramfs" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$outdir,mount_tag=results,security_model=none" \
		-drive "file=$disk,if=virtio,format=raw,cache=unsafe" </dev/null
	local rc=$?
	rm -f "$disk"
	return $rc
}
