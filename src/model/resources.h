/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host says about the resources a target uses, as the model carries it:
 * pressure stall totals (the kernel's own count of time stalled for a CPU, for IO and
 * for memory) and the IO limits of cgroups. The host stage reads them (host/psi.c,
 * host/iolimit.c); the analysis reads them from the snapshot.
 */
#ifndef PROCSCOPE_RESOURCES_H
#define PROCSCOPE_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum psi_res { PSI_CPU, PSI_IO, PSI_MEM, PSI_N };

struct psi {
	bool ok[PSI_N];		 /* read */
	uint64_t some_us[PSI_N]; /* cumulative: some task stalled */
	uint64_t full_us[PSI_N]; /* cumulative: every non-idle task stalled */
};

const char *psi_res_name(enum psi_res r); /* "cpu", "io", "memory" */

enum io_limit_kind { IOL_RBPS, IOL_WBPS, IOL_RIOPS, IOL_WIOPS, IOL_N };

#define IO_LIMIT_DEVS 8
#define IO_CGROUPS_MAX 4

/* One device's limits; 0 = none. */
struct io_limit {
	uint32_t major, minor;
	uint64_t v[IOL_N];
};

struct io_cgroup {
	uint64_t cgid;
	char path[256]; /* below the hierarchy's root: "/system.slice/db.service" */
	bool v2;
	size_t n;
	struct io_limit lim[IO_LIMIT_DEVS];
};

#define MEM_CGROUPS_MAX 4

/*
 * A memory cgroup a target process reclaimed or refaulted in (its memory controller's
 * hierarchy: v1's memory mount, or cgroup2), as last read. Byte figures 0 = none.
 */
struct mem_cgroup {
	uint64_t id;
	char path[256]; /* below the hierarchy's root; "" if gone before it was found */
	bool v2;
	uint64_t limit_bytes;	  /* the tightest of it and its ancestors: memory.max or
				     memory.limit_in_bytes */
	uint64_t own_limit_bytes; /* its own */
	uint64_t high_bytes;	  /* v2 memory.high (reclaim begins above it) */
	uint64_t usage_bytes;	  /* memory.current, memory.usage_in_bytes */
	uint64_t peak_bytes;	  /* memory.peak, memory.max_usage_in_bytes (0 if unknown) */
	uint64_t refault_file;	  /* memory.stat workingset_refault_file: pages, since created */
	uint64_t refault_anon;
	uint64_t oom_kills; /* memory.events oom_kill, memory.oom_control oom_kill */
	uint64_t procs;	    /* processes in it when read */
	bool psi_ok;	    /* v2 memory.pressure, cumulative us */
	uint64_t psi_some_us, psi_full_us;
};

/* "rbps" ... "wiops", as io.max names them. */
const char *io_limit_name(enum io_limit_kind k);
/* The limits of @cg on device MAJ:MIN, or NULL. */
const struct io_limit *io_limit_for(const struct io_cgroup *cg, uint32_t major, uint32_t minor);

#endif
