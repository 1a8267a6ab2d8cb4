// SPDX-License-Identifier: GPL-2.0
/*
 * What procscope parses from /proc, /tmp and cgroupfs: pressure files, IO limits (v1
 * and v2), mounts tables, command lines from exec events, and JITs' perf maps.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core_abi.h"
#include "fuzz.h"
#include "host/iolimit.h"
#include "symbols/perfmap.h"
#include "host/preflight.h"
#include "kernel/proctree.h"
#include "host/psi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), path[64], mnt[256];
	struct io_cgroup cg = {0};
	struct proctree t;
	uint64_t some, full;
	int fd;

	if (!s)
		return 0;
	struct perfmap pm = {0};

	perfmap_parse(&pm, (const char *)data, size);
	for (size_t i = 0; i < pm.n; i++)
		perfmap_lookup(&pm, pm.syms[i].start + (size & 7));
	perfmap_release(&pm);
	psi_parse(s, &some, &full);
	for (int k = 0; k <= IOL_N; k++)
		io_limits_parse(&cg, s, (enum io_limit_kind)k);
	fd = memfd_create("fuzz-mounts", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		cgroup_mount(path, NULL, mnt, sizeof(mnt));
		cgroup_mount(path, "blkio", mnt, sizeof(mnt));
	}
	if (fd >= 0)
		close(fd);
	proctree__init(&t);
	proctree__set_args(&t, 3, (const char *)data, size, size & 1);
	proctree__handle(&t, data, size);
	proctree__release(&t);
	free(s);
	return 0;
}
