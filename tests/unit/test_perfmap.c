// SPDX-License-Identifier: GPL-2.0
/*
 * Perf map files as JITs write them: names by address, the later line winning where
 * code was replaced, malformed lines skipped.
 */
#include <errno.h>

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

	CHECK_I64(perfmap_load(&m, "/nonexistent/perf-1.map"), -ENOENT);
	CHECK_I64(perfmap_load(&m, "/proc"), -EINVAL);
	CHECK_U64(m.n, 0);
	perfmap_release(&m);
}
