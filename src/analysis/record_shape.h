/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape of the JSON report record: rendered once, by the JSON renderer itself,
 * from a one-process snapshot with every subsystem on, so that a path into it
 * (an alert on a raw metric path such as "io.queue.p99_ns") can be checked before the
 * run: a typo is a usage error, not a rule that never fires.
 */
#ifndef PROCSCOPE_RECORD_SHAPE_H
#define PROCSCOPE_RECORD_SHAPE_H

#include <stdbool.h>

/* Does the record hold a number (or null) at dotted @path, in the target or a process? */
bool record_has_number(const char *path, bool per_process);

#endif
