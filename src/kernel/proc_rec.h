/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's process record (struct proc_rec) and the model's metrics, joined by the
 * counter table (model/metrics.h): every counter whose line says abi = 1 is the member
 * of the same name in the record. Copying and adding are generated from that table, so
 * that no counter can be forgotten in one of them.
 */
#ifndef PROCSCOPE_PROC_REC_H
#define PROCSCOPE_PROC_REC_H

#include "core_abi.h"
#include "model/metrics.h"

/* @m's counters from @r's (those the record holds; the others are left as they are). */
void proc_rec_to_metrics(struct metrics *m, const struct proc_rec *r);
/* Fold @p's counters into @a, an aggregate's record, each by its fold; and its life. */
void proc_rec_add(struct proc_rec *a, const struct proc_rec *p);
/*
 * What proc_rec_add() adds, for the kernel's own fold (cfg_fold_off in bpf/core.h):
 * each counter's offset in the record, PROC_FOLD_MAX_BIT set for those raised to the
 * larger. Up to @max in @out; how many there are.
 */
size_t proc_rec_fold_offsets(uint16_t *out, size_t max);

#endif
