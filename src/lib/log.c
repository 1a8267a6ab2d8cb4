// SPDX-License-Identifier: GPL-2.0
/* Diagnostics on stderr, one line each, prefixed so they stand out among a workload's output. */
#include <stdio.h>

#include "lib/log.h"

int log_verbosity;

static void vlog(const char *level, const char *fmt, va_list ap)
{
	fprintf(stderr, "procscope: %s", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define DEFINE_LOG(name, level, min)                                                               \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		if (log_verbosity < (min))                                                         \
			return;                                                                    \
		va_start(ap, fmt);                                                                 \
		vlog(level, fmt, ap);                                                              \
		va_end(ap);                                                                        \
	}

DEFINE_LOG(pr_error, "error: ", 0)
DEFINE_LOG(pr_warn, "warning: ", 0)
DEFINE_LOG(pr_info, "", 1)
DEFINE_LOG(pr_debug, "debug: ", 2)
