/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line parsing (argp) from one table of options (cli_options()): their groups,
 * arguments, types and ranges, help and what a shell completes them with. --help, the
 * man page and the completion scripts are made from the same table, so they cannot drift.
 */
#ifndef PROCSCOPE_CLI_H
#define PROCSCOPE_CLI_H

#include <stddef.h>

#include "model/config.h"

/* --help's groups, in the order they are shown. */
enum opt_group {
	G_HELP = -1,
	G_TARGET = 1,
	G_SUBSYS = 2,
	G_OUTPUT = 3,
	G_LIMITS = 4,
	G_STACKS = 5,
	G_ALERTS = 6,
	G_N = 7,
};

/* How an option's argument is read into its field of struct config. */
enum opt_type {
	OT_SPECIAL,  /* by cli.c itself: targets, --only, --prometheus, --help ... */
	OT_FLAG,     /* bool = true */
	OT_COUNT,    /* int, one more each time */
	OT_PATH,     /* const char *, not empty */
	OT_UINT,     /* unsigned int in [min, max] */
	OT_USEC,     /* microseconds in [min, max], into uint64_t ns */
	OT_DURATION, /* uint64_t ns, at least min (a number of seconds, or with a unit) */
	OT_SIZE,     /* uint64_t bytes, at least min (K, M, G) */
	OT_CHOICE,   /* int: the value of one of "name=value,..." */
	OT_LIST,     /* struct str_list: every one, in order */
};

enum opt_flags {
	OF_REPEAT = 1 << 0, /* may be given more than once */
	OF_OFFCPU = 1 << 1, /* implies --offcpu */
};

struct opt_spec {
	const char *name; /* the long option */
	int key;	  /* its short letter, or a value above 0xff */
	const char *arg;  /* its argument's name in --help, NULL if it takes none */
	int group;	  /* enum opt_group */
	enum opt_type type;
	size_t off;	      /* its field in struct config */
	uint64_t min, max;    /* OT_UINT, OT_USEC, OT_DURATION, OT_SIZE */
	const char *what;     /* the argument in words, for a usage error; OT_CHOICE: choices */
	const char *complete; /* what a shell completes its argument with: "file", "pid",
				 "cgroup", "command", "subsystems", "metrics"; NULL: nothing */
	const char *help;
	unsigned int flags; /* enum opt_flags */
};

/* Every option but the generated subsystem ones (--no-NAME, --NAME), in --help's order. */
const struct opt_spec *cli_options(size_t *n);
/* --help's text: the summary, then (after a '\v') examples, signals, exit status. */
const char *cli_doc(void);
/* The usage lines: one per way to name a target. */
const char *cli_args_doc(void);
/* The heading of --help's group @g, NULL for none. */
const char *cli_group_title(enum opt_group g);

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
int config_validate(const struct config *cfg, char *err, size_t len);

struct alerts;
/*
 * The alert rules of --alert and --alerts, read (again: SIGHUP) into @a. 0, or -1 with
 * a one-line message in @err and nothing in @a.
 */
int config_alerts(const struct config *cfg, struct alerts *a, char *err, size_t len);

#endif
