// SPDX-License-Identifier: GPL-2.0
/*
 * Smaller modules: the cgroup2 mount found in a mounts table (hybrid hosts put it at
 * /sys/fs/cgroup/unified), command resolution as execvp does it, the process tree's
 * command lines from exec events, and the syscall table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_abi.h"
#include "log.h"
#include "preflight.h"
#include "proctree.h"
#include "syscall_table.h"
#include "test.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

TEST(test_preflight__cgroup2_mount_hybrid)
{
	char buf[256];

	CHECK_I64(cgroup2_mount(FIXTURES "/mounts-hybrid", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/sys/fs/cgroup/unified");
	CHECK_I64(cgroup2_mount(FIXTURES "/mounts-v1-only", buf, sizeof(buf)), -ENOENT);
	CHECK(cgroup2_mount(FIXTURES "/does-not-exist", buf, sizeof(buf)) < 0);
}

TEST(test_preflight__check_command)
{
	char dir[] = "/tmp/procscope-test-XXXXXX", path[64];
	int fd;

	log_verbosity = -1; /* the errors are expected: keep the output clean */
	CHECK_I64(check_command("sh", NULL, 0), 0); /* found on PATH */
	CHECK_I64(check_command("sh", path, sizeof(path)), 0);
	CHECK(path[0] == '/' && access(path, X_OK) == 0); /* ... and resolved to a file */
	CHECK_I64(check_command("/bin/sh", NULL, 0), 0);
	CHECK_I64(check_command("procscope-no-such-command", NULL, 0), -ENOENT);
	CHECK_I64(check_command("/nonexistent/x", NULL, 0), -ENOENT);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	if (geteuid() != 0) /* root may execute anything with any x bit: skip the mode check */
		CHECK_I64(check_command(path, NULL, 0), -EACCES);
	CHECK_I64(check_command(dir, NULL, 0), -EACCES); /* a directory */
	unlink(path);
	rmdir(dir);
	log_verbosity = 0;
}

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

TEST(test_syscall_table__names_and_classes)
{
	char b[32];
	uint8_t cls[SYSCALL_NR_MAX];

#if defined(__x86_64__)
	CHECK_STR(syscall_name(110, b, sizeof(b)), "getppid");
	CHECK_I64(syscall_nr("getppid"), 110);
	CHECK_I64(syscall_nr("read"), 0);
#endif
	CHECK_STR(syscall_name(SYSCALL_NR_MAX + 7, b, sizeof(b)), "syscall_519");
	CHECK_I64(syscall_nr("no_such_syscall"), -1);
	syscall_wait_classes(cls, SYSCALL_NR_MAX);
	CHECK_I64(cls[syscall_nr("futex")], WC_LOCK);
	CHECK_I64(cls[syscall_nr("wait4")], WC_CHILD);
	CHECK_I64(cls[syscall_nr("clock_nanosleep")], WC_SLEEP);
	CHECK_I64(cls[syscall_nr("epoll_wait")], WC_POLL);
	CHECK_I64(cls[syscall_nr("connect")], WC_NET);
	CHECK_I64(cls[syscall_nr("read")], SYSCALL_CLASS_FD);
	CHECK_I64(cls[syscall_nr("getppid")], WC_OTHER);
}
