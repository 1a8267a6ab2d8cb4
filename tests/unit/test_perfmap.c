// SPDX-License-Identifier: GPL-2.0
/*
 * Perf map files as JITs write them: names by address, the later line winning where
 * code was replaced, malformed lines skipped; and read as perf does: a regular file of
 * the process's user or root, never through a symlink, never a FIFO (whose open would
 * wait for a writer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/untrusted.h"
#include "symbols/perfmap.h"
#include "test.h"

TEST(test_perfmap__names_by_address)
{
	static const char text[] =
		"7f0000001000 40 JS:*hotLoop /tmp/x.js:1:17\n"
		"0x7f0000002000 0x100 Builtins_JSEntry\n"
		"7f0000003000 10 LazyCompile:~f\n"
		"not a line\n"
		"7f0000004000 0 zero-sized\n"
		"7f0000005000 20\n"
		"7f0000003000 10 LazyCompile:*f (optimized, replaces the line above)\n"
		"7f0000006000 8 last line without a newline";
	struct perfmap m = {0};

	perfmap_parse(&m, text, sizeof(text) - 1);
	CHECK_U64(m.n, 5);
	CHECK_STR(perfmap_lookup(&m, 0x7f0000001000), "JS:*hotLoop /tmp/x.js:1:17");
	CHECK_STR(perfmap_lookup(&m, 0x7f000000103f), "JS:*hotLoop /tmp/x.js:1:17");
	CHECK(perfmap_lookup(&m, 0x7f0000001040) == NULL);
	CHECK_STR(perfmap_lookup(&m, 0x7f00000020ff), "Builtins_JSEntry");
	CHECK_STR(perfmap_lookup(&m, 0x7f0000003008),
		  "LazyCompile:*f (optimized, replaces the line above)");
	CHECK(perfmap_lookup(&m, 0x7f0000004000) == NULL);
	CHECK_STR(perfmap_lookup(&m, 0x7f0000006007), "last line without a newline");
	CHECK(perfmap_lookup(&m, 0x1000) == NULL);
	/* parsing again replaces */
	perfmap_parse(&m, "", 0);
	CHECK_U64(m.n, 0);
	CHECK(perfmap_lookup(&m, 0x7f0000001000) == NULL);
	perfmap_release(&m);
}

TEST(test_perfmap__missing_file)
{
	struct perfmap m = {0};

	CHECK_I64(perfmap_load(&m, AT_FDCWD, "/nonexistent/perf-1.map", UNTRUSTED_ANY_OWNER),
		  -ENOENT);
	CHECK_I64(perfmap_load(&m, AT_FDCWD, "/proc", UNTRUSTED_ANY_OWNER), -EINVAL);
	CHECK_U64(m.n, 0);
	perfmap_release(&m);
}

TEST(test_perfmap__refused_as_perf_refuses_them)
{
	char dir[] = "/tmp/procscope-perfmap-XXXXXX", f[64], link[64], fifo[64];
	struct perfmap m = {0};
	uid_t me = geteuid();
	FILE *out;
	int root;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(f, sizeof(f), "%s/perf-1.map", dir);
	snprintf(link, sizeof(link), "%s/perf-2.map", dir);
	snprintf(fifo, sizeof(fifo), "%s/perf-3.map", dir);
	CHECK((out = fopen(f, "w")) != NULL);
	fputs("1000 10 jitted\n", out);
	fclose(out);
	CHECK(symlink(f, link) == 0);
	CHECK(mkfifo(fifo, 0600) == 0);
	/* the process's own file, then the same through a symlink */
	CHECK_I64(perfmap_load(&m, AT_FDCWD, f, me), 0);
	CHECK_STR(perfmap_lookup(&m, 0x1008), "jitted");
	CHECK_I64(perfmap_load(&m, AT_FDCWD, link, me), -ELOOP);
	/* a FIFO: refused at once, no writer waited for */
	CHECK_I64(perfmap_load(&m, AT_FDCWD, fifo, me), -EINVAL);
	/* another user's (as root: a file given away; else: a user that is not us) */
	if (me == 0)
		CHECK(chown(f, 65534, 65534) == 0);
	CHECK_I64(perfmap_load(&m, AT_FDCWD, f, me == 0 ? 1 : me + 1), -EPERM);
	/* within a root: "/" is @dir, absolute paths and ".." stay in it */
	CHECK((root = open(dir, O_PATH | O_DIRECTORY)) >= 0);
	CHECK_I64(perfmap_load(&m, root, "/perf-1.map", UNTRUSTED_ANY_OWNER), 0);
	CHECK_I64(perfmap_load(&m, root, "/../../../perf-1.map", UNTRUSTED_ANY_OWNER), 0);
	CHECK_I64(perfmap_load(&m, root, f, UNTRUSTED_ANY_OWNER), -ENOENT);
	close(root);
	unlink(f);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	perfmap_release(&m);
}
