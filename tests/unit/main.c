// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test runner: runs every registered case (or those whose name contains argv[1]),
 * one line each, and ends with "N passed, N failed". Exit status 1 if any failed.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

/* grows as cases register (constructors, before main): no limit to drop one past */
static struct test_case {
	const char *name;
	void (*fn)(void);
} * tests;
static int n_tests, cap_tests;
static int current_failed;

void test_register(const char *name, void (*fn)(void))
{
	if (n_tests == cap_tests) {
		cap_tests = cap_tests ? cap_tests * 2 : 256;
		tests = realloc(tests, (size_t)cap_tests * sizeof(*tests));
		if (!tests) {
			fprintf(stderr, "unit tests: out of memory registering '%s'\n", name);
			exit(2);
		}
	}
	tests[n_tests].name = name;
	tests[n_tests].fn = fn;
	n_tests++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failed = 1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	qsort(tests, n_tests, sizeof(tests[0]), cmp_name);
	for (int i = 0; i < n_tests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		current_failed = 0;
		tests[i].fn();
		if (current_failed) {
			failed++;
			printf("FAIL %s\n", tests[i].name);
		} else {
			passed++;
			printf("ok   %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	free(tests);
	return failed ? 1 : 0;
}
