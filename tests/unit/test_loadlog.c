// SPDX-License-Identifier: GPL-2.0
/*
 * Reading libbpf's log of a failed load, on two real ones: Debian 12's 6.1 verifier
 * refusing io_done (an index whose bound it lost) and 6.12 failing a CO-RE
 * relocation in io_dirty (a field whose type changed).
 */
#include <stdlib.h>

#include "kernel/loadlog.h"
#include "test.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

TEST(test_loadlog__verifier_rejection)
{
	const char *log = slurp(FIXTURES "/libbpf-6.1-rejected.log");
	char name[64], why[256];

	CHECK(loadlog_failed_prog(log, name, sizeof(name)));
	CHECK_STR(name, "io_done");
	loadlog_reason(log, name, why, sizeof(why));
	CHECK_STR(why, "R3 unbounded memory access, make sure to bounds check any such access");
}

TEST(test_loadlog__core_relocation)
{
	const char *log = slurp(FIXTURES "/libbpf-6.12-core-relo.log");
	char name[64], why[256];

	CHECK(loadlog_failed_prog(log, name, sizeof(name)));
	CHECK_STR(name, "io_dirty");
	loadlog_reason(log, name, why, sizeof(why));
	CHECK_STR(why, "failed to resolve CO-RE relocation <byte_off> [784] struct folio.flags "
		       "(0:0:0:0 @ offset 0)");
}

TEST(test_loadlog__no_log)
{
	static const char log[] =
		"libbpf: prog 'x_y': BPF program load failed: Argument list too long\n"
		"libbpf: prog 'x_y': failed to load: -7\n";
	char name[64], why[256];

	CHECK(loadlog_failed_prog(log, name, sizeof(name)));
	CHECK_STR(name, "x_y");
	loadlog_reason(log, name, why, sizeof(why));
	CHECK_STR(why, "Argument list too long");
	CHECK(!loadlog_failed_prog("libbpf: failed to load object 'procscope_bpf'\n", name,
				   sizeof(name)));
}

/* Refused by libbpf before the kernel saw it: libbpf's own first word is the reason. */
TEST(test_loadlog__refused_by_libbpf)
{
	static const char log[] =
		"libbpf: prog 'io_done': failed to find kernel BTF type ID of 'no_tp': -3\n"
		"libbpf: prog 'io_done': failed to prepare load attributes: -3\n"
		"libbpf: prog 'io_done': failed to load: -3\n";
	char name[64], why[256];

	CHECK(loadlog_failed_prog(log, name, sizeof(name)));
	CHECK_STR(name, "io_done");
	loadlog_reason(log, name, why, sizeof(why));
	CHECK_STR(why, "failed to find kernel BTF type ID of 'no_tp': -3");
}
