// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks: identical stacks merged, names with separators escaped, on-CPU and
 * off-CPU apart.
 */
#include <stdlib.h>

#include "render/render.h"
#include "stacks_fixture.h"
#include "test.h"

static int folded_on(FILE *f, const struct stack_set *s)
{
	return render_folded(f, s, STACK_ONCPU);
}

static int folded_off(FILE *f, const struct stack_set *s)
{
	return render_folded(f, s, STACK_OFFCPU);
}

TEST(test_folded__merges_and_escapes)
{
	struct stack_set set;
	char *on, *off;

	fixture(&set);
	on = capture(folded_on, &set);
	off = capture(folded_off, &set);
	CHECK_CONTAINS(on, "app;main;outer;hot 40\n"); /* 30 + 10 merged */
	CHECK_CONTAINS(on, "app;main;std::vector<int>::push_back(int&&) 5\n");
	CHECK_CONTAINS(on, "a<b>&;a:b?c 1\n"); /* ';' and newline cannot stay */
	CHECK(strstr(on, "schedule") == NULL);
	CHECK_STR(off, "app;main;outer;schedule_[k] 250000\n"); /* microseconds */
	free(on);
	free(off);
	stacks_release(&set);
}
