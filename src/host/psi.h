/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pressure stall information: the kernel's own count of the time tasks stalled for a
 * CPU, for IO and for memory (Documentation/accounting/psi.rst), system-wide
 * (/proc/pressure/) or for one cgroup v2 (cpu.pressure, io.pressure,
 * memory.pressure). Read at attach and at every snapshot, its deltas say how
 * saturated each resource was over the span, independently of procscope's tracing.
 */
#ifndef PROCSCOPE_PSI_H
#define PROCSCOPE_PSI_H

#include <stdbool.h>
#include <stdint.h>

#include "model/resources.h"

/* Parse a pressure file's text into @some and @full (totals, us). 0 or -EINVAL. */
int psi_parse(const char *text, uint64_t *some, uint64_t *full);
/* Read the three files under @dir: /proc/pressure, or a cgroup v2 directory (@cgroup). */
void psi_read(const char *dir, bool cgroup, struct psi *out);

#endif
