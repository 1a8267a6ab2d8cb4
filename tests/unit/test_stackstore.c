// SPDX-License-Identifier: GPL-2.0
/* The stack counts of recycled processes: merged by key, bounded by a catch-all. */
#include "kernel/stackstore.h"
#include "test.h"

static struct stack_key key(uint32_t slot, int32_t kstack, uint64_t uhash)
{
	return (struct stack_key){.slot = slot, .kstack = kstack, .ustack = -1, .uhash = uhash};
}

TEST(test_stackstore__same_key_merges)
{
	struct stackstore st = {0};
	struct stack_key a = key(4096, 7, 99), b = key(4096, 7, 98);
	struct stack_val one = {1, 10}, two = {2, 20};

	CHECK(stackstore__add(&st, &a, &one));
	CHECK(stackstore__add(&st, &b, &one));
	CHECK(stackstore__add(&st, &a, &two));
	CHECK_U64(st.n, 2);
	CHECK_U64(st.keys[0].uhash, 99);
	CHECK_U64(st.vals[0].count, 3);
	CHECK_U64(st.vals[0].ns, 30);
	CHECK_U64(st.vals[1].count, 1);
	stackstore__release(&st);
}

TEST(test_stackstore__bounded_by_a_catch_all)
{
	struct stackstore st = {0};
	struct stack_val one = {1, 0};
	uint64_t total = 0, catch_all = 0;
	size_t n_catch = 0;
	bool ok = true;

	/* two aggregates, STACKSTORE_MAX distinct stacks each */
	for (uint32_t i = 0; i < 2 * STACKSTORE_MAX; i++) {
		struct stack_key k = key(4096 + i % 2, (int32_t)i, 1000 + i);

		ok &= stackstore__add(&st, &k, &one) == (i < STACKSTORE_MAX);
	}
	CHECK(ok);
	/* a stack kept before the table filled still counts as itself */
	struct stack_key first = key(4096, 0, 1000);

	CHECK(stackstore__add(&st, &first, &one));
	CHECK_U64(st.n, STACKSTORE_MAX + 2); /* and one catch-all per aggregate */
	for (size_t i = 0; i < st.n; i++) {
		total += st.vals[i].count;
		if (st.keys[i].ustack == STACK_ID_BEYOND) {
			n_catch++;
			catch_all += st.vals[i].count;
			ok &= st.keys[i].kstack < 0 && !st.keys[i].uhash;
		}
	}
	CHECK(ok);
	CHECK_U64(n_catch, 2);
	CHECK_U64(total, 2 * STACKSTORE_MAX + 1); /* every sample, once */
	CHECK_U64(catch_all, STACKSTORE_MAX);
	stackstore__release(&st);
}
