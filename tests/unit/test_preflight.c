// SPDX-License-Identifier: GPL-2.0
/*
 * Pre-flight checks: the cgroup2 mount found in a mounts file, commands resolved
 * as execvp would.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "host/preflight.h"
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

/* A v1 controller's mount, by option: whole options only ("cpu" is not "cpuacct"). */
TEST(test_preflight__cgroup_v1_controller_mount)
{
	char buf[256];

	CHECK_I64(cgroup_mount(FIXTURES "/mounts-hybrid", "blkio", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/sys/fs/cgroup/blkio");
	CHECK_I64(cgroup_mount(FIXTURES "/mounts-hybrid", "cpuacct", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/sys/fs/cgroup/cpu,cpuacct");
	CHECK_I64(cgroup_mount(FIXTURES "/mounts-hybrid", "cpu", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/sys/fs/cgroup/cpu");
	CHECK_I64(cgroup_mount(FIXTURES "/mounts-hybrid", "blk", buf, sizeof(buf)), -ENOENT);
}

TEST(test_preflight__check_command)
{
	char dir[] = "/tmp/procscope-test-XXXXXX", path[64];
	int fd;

	log_verbosity = -1; /* the errors are expected: keep the output clean */
	CHECK_I64(preflight_command("sh", NULL, 0), 0); /* found on PATH */
	CHECK_I64(preflight_command("sh", path, sizeof(path)), 0);
	CHECK(path[0] == '/' && access(path, X_OK) == 0); /* ... and resolved to a file */
	CHECK_I64(preflight_command("/bin/sh", NULL, 0), 0);
	CHECK_I64(preflight_command("procscope-no-such-command", NULL, 0), -ENOENT);
	CHECK_I64(preflight_command("/nonexistent/x", NULL, 0), -ENOENT);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	if (geteuid() != 0) /* root may execute anything with any x bit: skip the mode check */
		CHECK_I64(preflight_command(path, NULL, 0), -EACCES);
	CHECK_I64(preflight_command(dir, NULL, 0), -EACCES); /* a directory */
	unlink(path);
	rmdir(dir);
	log_verbosity = 0;
}
