/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parsing (argp): options in headed groups, examples in --help, combination checks. */
#ifndef PROCSCOPE_CLI_H
#define PROCSCOPE_CLI_H

#include <stddef.h>

#include "model/config.h"

enum cli_flags {
	CLI_EXIT_ON_ERROR = 0, /* print usage errors and exit(EXIT_USAGE), as the tool does */
	CLI_QUIET_RETURN = 1,  /* return -EINVAL silently: for unit tests */
};

/* 0 on success, -EINVAL on a usage error (printed, unless CLI_QUIET_RETURN). */
int cli_parse(int argc, char **argv, struct config *cfg, enum cli_flags flags);

/*
 * The checks on a parsed configuration that involve several options (a target given,
 * --no-children with -p or a command, stack outputs with stacks, ...). 0, or -1 with
 * a one-line message naming the options in @err.
 */
int config_check(const struct config *cfg, char *err, size_t len);

struct alerts;
/*
 * The alert rules of --alert and --alerts, read (again: SIGHUP) into @a. 0, or -1 with
 * a one-line message in @err and nothing in @a.
 */
int config_alerts(const struct config *cfg, struct alerts *a, char *err, size_t len);

#endif
