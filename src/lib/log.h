/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages to stderr in git's style: "procscope: error: failed to attach
 * 'sched_switch': Operation not permitted". Lowercase, no full stop, the subject
 * quoted. Reports go to stdout or -o FILE; only diagnostics come here.
 */
#ifndef PROCSCOPE_LOG_H
#define PROCSCOPE_LOG_H

#include <stdarg.h>

extern int log_verbosity; /* 0 = errors and warnings, 1 = -v, 2 = -vv (libbpf too) */

void pr_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
