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

/* "rbps" ... "wiops", as io.max names them. */
const char *io_limit_name(enum io_limit_kind k);
/* The limits of @cg on device MAJ:MIN, or NULL. */
const struct io_limit *io_limit_for(const struct io_cgroup *cg, uint32_t major, uint32_t minor);

#endif
