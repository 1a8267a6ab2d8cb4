// SPDX-License-Identifier: GPL-2.0
/*
 * IO limits: blk-throttle's v1 files and v2's io.max parsed, the tighter of two
 * kept, and a cgroup found by id in a hierarchy with its ancestors' limits merged
 * (a directory tree standing in for cgroupfs, named by a mounts file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/iolimit.h"
#include "test.h"

TEST(test_iolimit__parse_v1_and_v2)
{
	struct io_cgroup cg = {0};
	const struct io_limit *l;

	CHECK_I64(io_limits_parse(&cg, "254:0 8388608\n8:16 1048576\n", IOL_WBPS), 2);
	CHECK_I64(io_limits_parse(&cg, "254:0 200\n", IOL_WIOPS), 1);
	CHECK_U64(cg.n, 2);
	l = io_limit_for(&cg, 254, 0);
	CHECK(l != NULL);
	CHECK_U64(l ? l->v[IOL_WBPS] : 0, 8388608);
	CHECK_U64(l ? l->v[IOL_WIOPS] : 0, 200);
	CHECK_U64(l ? l->v[IOL_RBPS] : 1, 0);
	/* io.max: "max" is no limit; a tighter limit wins, a looser one does not */
	CHECK_I64(io_limits_parse(&cg, "254:0 rbps=max wbps=4194304 riops=max wiops=max\n", IOL_N),
		  1);
	CHECK_I64(
		io_limits_parse(&cg, "254:0 rbps=1000000 wbps=16777216 riops=50 wiops=max", IOL_N),
		3);
	CHECK_U64(l ? l->v[IOL_WBPS] : 0, 4194304);
	CHECK_U64(l ? l->v[IOL_RBPS] : 0, 1000000);
	CHECK_U64(l ? l->v[IOL_RIOPS] : 0, 50);
	CHECK(io_limit_for(&cg, 8, 16) != NULL);
	CHECK(io_limit_for(&cg, 8, 0) == NULL);
	/* keys of later kernels are skipped; garbage is refused */
	CHECK_I64(io_limits_parse(&cg, "8:0 wbps=100 newkey=7\n", IOL_N), 1);
	CHECK_I64(io_limits_parse(&cg, "", IOL_N), 0);
	CHECK_I64(io_limits_parse(&cg, "254:0\n", IOL_WBPS), -EINVAL);
	CHECK_I64(io_limits_parse(&cg, "sda 100\n", IOL_WBPS), -EINVAL);
	CHECK_I64(io_limits_parse(&cg, "8:0 wbps=12x\n", IOL_N), -EINVAL);
	CHECK_I64(io_limits_parse(&cg, "8:0 -5\n", IOL_RBPS), -EINVAL);
	CHECK_STR(io_limit_name(IOL_WIOPS), "wiops");
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(test_iolimit__cgroup_by_id_with_ancestors)
{
	char root[] = "/tmp/procscope-cg-XXXXXX", mounts[64], dir[256], parent[256];
	struct io_cgroup cg;
	const struct io_limit *l;
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(root) != NULL);
	snprintf(parent, sizeof(parent), "%s/batch", root);
	snprintf(dir, sizeof(dir), "%s/batch/job", root);
	CHECK(mkdir(parent, 0755) == 0 && mkdir(dir, 0755) == 0);
	/* v2: the parent limits writes, the child reads and (looser) writes */
	put_file(parent, "io.max", "254:0 rbps=max wbps=8388608 riops=max wiops=max\n");
	put_file(dir, "io.max", "254:0 rbps=2097152 wbps=33554432 riops=max wiops=max\n");
	snprintf(mounts, sizeof(mounts), "%s/mounts", root);
	f = fopen(mounts, "w");
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "cgroup2 %s cgroup2 rw,nosuid 0 0\n", root);
		fclose(f);
	}
	CHECK(stat(dir, &st) == 0);
	CHECK_I64(io_cgroup_read(mounts, st.st_ino, &cg), 0);
	CHECK_STR(cg.path, "/batch/job");
	CHECK(cg.v2);
	l = io_limit_for(&cg, 254, 0);
	CHECK_U64(l ? l->v[IOL_WBPS] : 0, 8388608); /* the parent's, tighter */
	CHECK_U64(l ? l->v[IOL_RBPS] : 0, 2097152);
	CHECK_I64(io_cgroup_read(mounts, 1, &cg), -ENOENT); /* no such id */

	/* v1: blkio's mount is preferred, and its files are read */
	f = fopen(mounts, "w");
	if (f) {
		fprintf(f, "cgroup2 /nowhere cgroup2 rw 0 0\n");
		fprintf(f, "cgroup %s cgroup rw,relatime,blkio 0 0\n", root);
		fclose(f);
	}
	put_file(dir, "blkio.throttle.write_iops_device", "254:0 200\n");
	CHECK_I64(io_cgroup_read(mounts, st.st_ino, &cg), 0);
	CHECK(!cg.v2);
	l = io_limit_for(&cg, 254, 0);
	CHECK_U64(l ? l->v[IOL_WIOPS] : 0, 200);
	CHECK_U64(l ? l->v[IOL_WBPS] : 1, 0); /* io.max is not read under v1 */

	/* clean up the tree */
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}
