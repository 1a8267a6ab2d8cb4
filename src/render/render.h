/* SPDX-License-Identifier: GPL-2.0 */
/* Stack renderers: folded text, SVG flame graph, pprof. They read a struct stack_set. */
#ifndef PROCSCOPE_RENDER_H
#define PROCSCOPE_RENDER_H

#include <stdio.h>

#include "model/stack_set.h"

/* "comm;outer;...;leaf" for one stack (no value); caller frees. */
char *folded_line(const struct stack_set *set, const struct stack *st);
/* Stacks of @kind, folded: samples (on-CPU) or microseconds (off-CPU). 0 or -1. */
int render_folded(FILE *f, const struct stack_set *set, enum stack_kind kind);

/*
 * A self-contained interactive SVG: widths are time (on-CPU samples times the period,
 * off-CPU time away), on-CPU frames in warm colours, off-CPU in blues, under separate
 * roots when both kinds are there. Hover for details, click to zoom, search.
 */
int render_flamegraph(FILE *f, const struct stack_set *set, const char *title);

/* gzipped pprof Profile protobuf into @f. */
int render_pprof(FILE *f, const struct stack_set *set, uint64_t start_unix_ns,
		 uint64_t duration_ns);

#endif
