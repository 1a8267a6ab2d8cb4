// SPDX-License-Identifier: GPL-2.0
/*
 * The symbolizer on a live process (this one): its frames are named.
 */
#include <stdlib.h>
#include <unistd.h>

#include "symbolize.h"
#include "test.h"
#include "util.h"

/* A function of this binary with a known name, to find by address. */
__attribute__((noinline)) int procscope_unit_known_function(int x)
{
	return x * 3 + 1;
}

TEST(test_symbolize__own_process)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_frame f;

	CHECK_I64(symbolizer__capture(s, 7, (uint32_t)getpid()), 0);
	symbolizer__user_ip(s, 7, (uint64_t)(uintptr_t)procscope_unit_known_function + 4, &f);
	CHECK(f.resolved);
	CHECK_STR(f.name, "procscope_unit_known_function");
	CHECK_STR(f.module, "unit_tests");
	/* an address in no mapping: named by module and offset, not dropped */
	symbolizer__user_ip(s, 7, 0x10, &f);
	CHECK(!f.resolved);
	CHECK_CONTAINS(f.name, "+0x10");
	/* a slot never captured */
	symbolizer__user_ip(s, 8, (uint64_t)(uintptr_t)procscope_unit_known_function, &f);
	CHECK(!f.resolved);
	symbolizer__kernel(s, 0, &f);
	CHECK(!f.resolved);
	symbolizer__free(s);
	CHECK_I64(procscope_unit_known_function(1), 4);
}
