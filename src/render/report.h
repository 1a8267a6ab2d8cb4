/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renderers: one per format, each reading a snapshot and its analysis and computing
 * nothing. They never see the skeleton, so unit tests render fixtures.
 */
#ifndef PROCSCOPE_REPORT_H
#define PROCSCOPE_REPORT_H

#include <stdio.h>

#include "model/config.h"
#include "lib/json_writer.h"
#include "model/snapshot.h"

struct analysis;

struct report_opts {
	enum target_kind target;
	const char *target_desc; /* command line, pid list, cgroup path, "all" */
	unsigned int top_n;
	int exit_code;	      /* launched command's status, -1 if none */
	uint64_t unix_end_ns; /* wall-clock time of the snapshot's end */
	unsigned int subsys;  /* enum subsys: what was traced (the rest is null in JSON) */
};

void report_text(FILE *f, const struct snapshot *s, const struct analysis *a,
		 const struct report_opts *o);
void report_json(struct json_writer *w, const struct snapshot *s, const struct analysis *a,
		 const struct report_opts *o);

const char *target_kind_name(enum target_kind k);
const char *bpf_stats_mode_name(int mode);
/* "ENOENT", or "E<n>" into @buf. */

#endif
