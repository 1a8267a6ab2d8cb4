// SPDX-License-Identifier: GPL-2.0
/* Memory cgroup files as cgroup v1 and v2 write them. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/memcg.h"
#include "test.h"

TEST(test_memcg__limits_as_written)
{
	CHECK_U64(memcg_limit_parse("max\n"), 0);		  /* v2: none */
	CHECK_U64(memcg_limit_parse("9223372036854771712\n"), 0); /* v1: PAGE_COUNTER_MAX */
	CHECK_U64(memcg_limit_parse("67108864\n"), 67108864);
	CHECK_U64(memcg_limit_parse(""), 0);
	CHECK_U64(memcg_limit_parse("garbage"), 0);
}

TEST(test_memcg__stat_keys_whole)
{
	const char *v1 = "cache 4096\nrss 0\nworkingset_refault_anon 3\n"
			 "workingset_refault_file 39267\ntotal_workingset_refault_file 40000\n";
	const char *oom = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";

	CHECK_U64(memcg_stat_value(v1, "workingset_refault_file"), 39267);
	CHECK_U64(memcg_stat_value(v1, "workingset_refault_anon"), 3);
	CHECK_U64(memcg_stat_value(v1, "rss"), 0);
	CHECK_U64(memcg_stat_value(v1, "swap"), 0);
	/* a key is matched whole: oom_kill is not oom_kill_disable */
	CHECK_U64(memcg_stat_value(oom, "oom_kill"), 2);
}

/* A v1 hierarchy in a temporary directory: the limit is the tightest of the ancestors'. */
TEST(test_memcg__v1_hierarchy_read)
{
	char root[] = "/tmp/procscope-memcg.XXXXXX", path[512], mounts[600];
	struct mem_cgroup cg = {0};
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/a", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/a/b", root);
	CHECK(mkdir(path, 0755) == 0);
#define PUT(rel, text)                                                                             \
	do {                                                                                       \
		snprintf(path, sizeof(path), "%s/%s", root, rel);                                  \
		f = fopen(path, "w");                                                              \
		CHECK(f != NULL);                                                                  \
		fputs(text, f);                                                                    \
		fclose(f);                                                                         \
	} while (0)
	PUT("a/memory.limit_in_bytes", "33554432\n");
	PUT("a/b/memory.limit_in_bytes", "9223372036854771712\n");
	PUT("a/b/memory.usage_in_bytes", "1048576\n");
	PUT("a/b/memory.max_usage_in_bytes", "33554432\n");
	PUT("a/b/memory.stat", "cache 0\nworkingset_refault_file 42\n");
	PUT("a/b/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	PUT("a/b/cgroup.procs", "10\n11\n");
	snprintf(mounts, sizeof(mounts), "%s/mounts", root);
	f = fopen(mounts, "w");
	CHECK(f != NULL);
	fprintf(f, "cgroup %s cgroup rw,nosuid,memory 0 0\n", root);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a/b", root);
	CHECK(stat(path, &st) == 0);
	CHECK_I64(memcg_read(mounts, st.st_ino, &cg), 0);
	CHECK_STR(cg.path, "/a/b");
	CHECK(!cg.v2);
	CHECK_U64(cg.own_limit_bytes, 0);
	CHECK_U64(cg.limit_bytes, 33554432); /* its parent's */
	CHECK_U64(cg.usage_bytes, 1048576);
	CHECK_U64(cg.peak_bytes, 33554432);
	CHECK_U64(cg.refault_file, 42);
	CHECK_U64(cg.oom_kills, 1);
	CHECK_U64(cg.procs, 2);
	/* gone: what was read stays */
	snprintf(path, sizeof(path), "rm -rf -- %s/a", root);
	CHECK(system(path) == 0);
	CHECK(memcg_read(mounts, st.st_ino, &cg) < 0);
	CHECK_U64(cg.refault_file, 42);
	snprintf(path, sizeof(path), "rm -rf -- %s", root);
	CHECK(system(path) == 0);
}
