// SPDX-License-Identifier: GPL-2.0
/*
 * The process tree from ring-buffer records: exec arguments joined, command lines
 * read from procfs for processes already running.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core_abi.h"
#include "model/config.h"
#include "kernel/proctree.h"
#include "test.h"

TEST(test_proctree__exec_args_joined)
{
	struct proctree t;
	struct ev_exec *e = calloc(1, sizeof(*e));
	static const char args[] = "cc\0-O2\0-c\0x.c\0";

	proctree__init(&t);
	e->h.kind = EV_EXEC;
	e->h.slot = 5;
	e->h.pid = 999999999; /* no such process: nothing to read from procfs */
	memcpy(e->args, args, sizeof(args));
	e->args_len = sizeof(args) - 1;
	CHECK_I64(proctree__handle(&t, e, sizeof(*e)), EV_EXEC);
	CHECK_STR(proctree__cmdline(&t, 5), "cc -O2 -c x.c");
	CHECK(proctree__cmdline(&t, 4) == NULL);
	CHECK(proctree__cmdline(&t, 100000) == NULL);
	/* malformed records are refused */
	CHECK_I64(proctree__handle(&t, e, 4), -EINVAL);
	e->args_len = CMDLINE_MAX + 1;
	CHECK_I64(proctree__handle(&t, e, sizeof(*e)), -EINVAL);
	e->h.kind = 77;
	CHECK_I64(proctree__handle(&t, e, sizeof(*e)), -EINVAL);
	free(e);
	proctree__release(&t);
}

TEST(test_proctree__reads_procfs_for_present_processes)
{
	struct proctree t;
	struct ev_hdr h = {.kind = EV_PROC, .slot = 3, .pid = (uint32_t)getpid()};
	const char *cl;

	proctree__init(&t);
	CHECK_I64(proctree__handle(&t, &h, sizeof(h)), EV_PROC);
	cl = proctree__cmdline(&t, 3);
	CHECK(cl != NULL && strstr(cl, "unit_tests") != NULL);
	proctree__release(&t);
}

/* A command line cut by the exec event, with procfs gone, ends with a visible mark. */
TEST(test_proctree__cut_command_line_is_marked)
{
	struct proctree t;
	struct ev_exec *e = calloc(1, sizeof(*e));
	const char *cl;

	proctree__init(&t);
	e->h.kind = EV_EXEC;
	e->h.slot = 6;
	e->h.pid = 999999999; /* gone: procfs cannot give the rest */
	memset(e->args, 'x', CMDLINE_MAX - 1);
	e->args_len = CMDLINE_MAX - 1;
	e->truncated = 1;
	CHECK_I64(proctree__handle(&t, e, sizeof(*e)), EV_EXEC);
	cl = proctree__cmdline(&t, 6);
	CHECK(cl != NULL);
	CHECK_U64(strlen(cl), CMDLINE_MAX - 1 + strlen(CMDLINE_CUT_MARK));
	CHECK_STR(cl + CMDLINE_MAX - 1, " [truncated]");
	/* whole: no mark */
	proctree__set_args(&t, 7, "a\0b\0", 4, false);
	CHECK_STR(proctree__cmdline(&t, 7), "a b");
	free(e);
	proctree__release(&t);
}

/* Records are checked: a slot beyond any --max-procs is refused, not a huge allocation. */
TEST(test_proctree__refuses_slots_out_of_range)
{
	struct proctree t;
	struct ev_hdr h = {.kind = EV_PROC, .slot = 0xffffffffU, .pid = 1};

	proctree__init(&t);
	CHECK_I64(proctree__handle(&t, &h, sizeof(h)), -EINVAL);
	h.slot = MAX_PROCS_LIMIT + SLOT_FIRST;
	CHECK_I64(proctree__handle(&t, &h, sizeof(h)), -EINVAL);
	CHECK(proctree__cmdline(&t, MAX_PROCS_LIMIT) == NULL);
	proctree__release(&t);
}
