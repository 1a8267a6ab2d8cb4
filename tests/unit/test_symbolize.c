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

/* @text written to a temporary file, its path in @path (at least 32 bytes). */
static void kallsyms_file(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/procscope-ksyms-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_I64(write(fd, text, len), (int64_t)len);
	close(fd);
}

/*
 * Kernel symbols in kallsyms's format: text symbols only (t, T, w, W), not at address
 * zero (what an unprivileged reader sees), a module's suffix left out, names cut at 255,
 * order restored, and the last line read without its newline.
 */
TEST(test_symbolize__kallsyms_parsed)
{
	struct symbolizer *s = symbolizer__new();
	char path[64], text[2048], long_name[301];
	struct sym_frame f;
	int len;

	memset(long_name, 'x', 300);
	long_name[300] = '\0';
	len = snprintf(text, sizeof(text),
		       "0000000000000000 T at_zero\n"
		       "ffffffff81000000 T _stext\n"
		       "ffffffff81000100 t small_fn\n"
		       "ffffffff81000200 D some_data\n"
		       "ffffffff81000300 W weak_fn\n"
		       "ffffffff81000050 T out_of_order\n"
		       "ffffffff81000400 T %s\n"
		       "not a line at all\n"
		       "ffffffffc0000000 t mod_fn\t[mymod]\n"
		       "ffffffffc0001000 t last_fn",
		       long_name);
	kallsyms_file(path, text, (size_t)len);
	symbolizer__kallsyms_from(s, path);
	unlink(path);

	symbolizer__kernel(s, 0xffffffff81000010, &f);
	CHECK(f.resolved);
	CHECK_STR(f.name, "_stext");
	CHECK_STR(f.module, "[kernel]");
	symbolizer__kernel(s, 0xffffffff81000060, &f);
	CHECK_STR(f.name, "out_of_order");
	symbolizer__kernel(s, 0xffffffff81000250, &f); /* data is not a function */
	CHECK_STR(f.name, "small_fn");
	symbolizer__kernel(s, 0xffffffff81000300, &f);
	CHECK_STR(f.name, "weak_fn");
	symbolizer__kernel(s, 0xffffffff81000401, &f);
	CHECK_I64((int64_t)strlen(f.name), 255);
	CHECK(!strncmp(f.name, long_name, 255));
	symbolizer__kernel(s, 0xffffffffc0000008, &f);
	CHECK_STR(f.name, "mod_fn");
	symbolizer__kernel(s, 0xffffffffc0001004, &f);
	CHECK_STR(f.name, "last_fn");
	symbolizer__kernel(s, 0x1000, &f); /* below every symbol */
	CHECK(!f.resolved);
	symbolizer__free(s);
}

/* Lines across the reads of a file larger than one read (1 MiB): none lost or cut. */
TEST(test_symbolize__kallsyms_across_reads)
{
	enum { N = 60000 };
	struct symbolizer *s = symbolizer__new();
	size_t cap = (size_t)N * 48, len = 0;
	char *text = xmalloc(cap), path[64], want[32];
	struct sym_frame f;
	int missed = 0;

	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "%016llx T function_%06d\n",
					0xffffffff81000000ULL + (unsigned long long)i * 16, i);
	kallsyms_file(path, text, len);
	free(text);
	symbolizer__kallsyms_from(s, path);
	unlink(path);
	for (int i = 0; i < N; i++) {
		symbolizer__kernel(s, 0xffffffff81000000ULL + (unsigned long long)i * 16 + 3, &f);
		snprintf(want, sizeof(want), "function_%06d", i);
		missed += !f.resolved || strcmp(f.name, want);
	}
	CHECK_I64(missed, 0);
	symbolizer__free(s);
}
