// SPDX-License-Identifier: GPL-2.0
/*
 * The symbolizer on a live process (this one): its frames are named.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/symbolize.h"
#include "test.h"
#include "lib/util.h"

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

/* Data the frame-pointer walk could wander into. */
static unsigned long procscope_unit_data[64] = {1};

/*
 * Whether an address is code: functions are, this binary's data and places outside
 * every mapping are not; anonymous executable memory (JIT) is, unnamed; a process
 * whose mappings were never read cannot tell, so everything is.
 */
TEST(test_symbolize__code_or_not)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_frame f;
	void *jit = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(jit != MAP_FAILED);
	CHECK_I64(symbolizer__capture(s, 7, (uint32_t)getpid()), 0);
	symbolizer__user_ip(s, 7, (uint64_t)(uintptr_t)procscope_unit_known_function, &f);
	CHECK(f.code);
	symbolizer__user_ip(s, 7, (uint64_t)(uintptr_t)&procscope_unit_data[3], &f);
	CHECK(!f.code);
	symbolizer__user_ip(s, 7, 0x10, &f);
	CHECK(!f.code);
	symbolizer__user_ip(s, 7, (uint64_t)(uintptr_t)jit + 16, &f);
	CHECK(f.code);
	CHECK_CONTAINS(f.name, "[anon]+0x");
	symbolizer__user_ip(s, 8, 0x10, &f);
	CHECK(f.code);
	munmap(jit, 4096);
	symbolizer__free(s);
	CHECK_U64(procscope_unit_data[0], 1);
}
