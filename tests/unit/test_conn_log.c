// SPDX-License-Identifier: GPL-2.0
/*
 * The log of closed TCP connections over a long run: trimmed after each interval to
 * what later reports need -- the largest for the final one -- and still counted.
 */
#include "kernel/conn_log.h"
#include "fixtures.h"
#include "test.h"

static void add(struct conn_log *l, uint64_t end_ns, uint64_t bytes, const char *comm)
{
	struct ev_tcp_close e = {.kind = EV_TCP_CLOSE, .pid = 42, .slot = 2};

	e.ts_ns = end_ns;
	e.tx_bytes = bytes;
	CHECK_I64(conn_log__add(l, &e, sizeof(e), comm), 0);
}

TEST(test_conn_log__trimmed_and_counted)
{
	struct conn_log l = {0};
	struct raw_dump whole, last;
	struct snapshot s;

	/* six connections closed at 1..6 ms; an interval reported up to 4 ms */
	for (int i = 1; i <= 6; i++)
		add(&l, FX_ATTACH_NS + i * NSEC_PER_MSEC, (uint64_t)(i == 2 ? 900 : i * 10),
		    "curl");
	conn_log__trim(&l, FX_ATTACH_NS + 4 * NSEC_PER_MSEC, 2);
	/* kept: the two largest of the four old (2: 900 bytes, 4: 40), then 5 and 6 */
	CHECK_U64(l.n, 4);
	CHECK_U64(l.trimmed, 2);
	CHECK_U64(l.c[0].tx_bytes, 900);
	CHECK_U64(l.c[1].tx_bytes, 40);
	CHECK_U64(l.c[2].tx_bytes, 50);
	CHECK_U64(l.c[3].tx_bytes, 60);
	CHECK_STR(l.c[0].comm, "curl");

	/* the whole run counts all six, the largest first */
	fx_init(&whole, 4, ROW_FIRST, FX_ATTACH_NS + 10 * NSEC_PER_MSEC);
	fx_proc(&whole, 2, 42, 1, "curl", FX_ATTACH_NS);
	whole.conns = l.c;
	whole.n_conns = l.n;
	whole.conns_trimmed = l.trimmed;
	whole.conns_trimmed_until_ns = l.trimmed_until_ns;
	CHECK_I64(snapshot_build(&s, &whole, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.conns_closed, 6);
	CHECK_U64(s.n_conns, 4);
	CHECK_U64(s.conns[0].tx_bytes, 900);
	CHECK_STR(s.conns[0].comm, "curl");
	snapshot_release(&s);

	/* the next interval (4..10 ms): the two closed in it, none of those let go */
	fx_init(&last, 4, ROW_FIRST, FX_ATTACH_NS + 4 * NSEC_PER_MSEC);
	fx_proc(&last, 2, 42, 1, "curl", FX_ATTACH_NS);
	CHECK_I64(snapshot_build(&s, &whole, &last, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.conns_closed, 2);
	snapshot_release(&s);
	raw_dump_release(&whole);
	raw_dump_release(&last);
	conn_log__release(&l);
}
