/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The log of TCP connections that closed, from their EV_TCP_CLOSE ring-buffer records
 * (the kernel tables keep counters, not connections). Bounded: past CONNS_MAX the
 * rest are only counted.
 */
#ifndef PROCSCOPE_CONNS_H
#define PROCSCOPE_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/raw_dump.h"

#define CONNS_MAX 4096

struct conn_log {
	struct tcp_conn_info *c; /* oldest first */
	size_t n;
	uint64_t dropped;		    /* closed beyond CONNS_MAX */
	uint64_t trimmed, trimmed_until_ns; /* see conn_log__trim */
};

/*
 * Add the connection of one EV_TCP_CLOSE record, of a process named @comm (NULL:
 * unknown); -EINVAL if it is malformed.
 */
int conn_log__add(struct conn_log *l, const void *data, size_t len, const char *comm);
/*
 * Let go of the connections that closed by @until_ns (reported), but the @keep with
 * the most bytes (the whole run's largest, for the final report); counted in trimmed.
 * A long run's log holds what its next interval needs, not every connection.
 */
void conn_log__trim(struct conn_log *l, uint64_t until_ns, size_t keep);
void conn_log__release(struct conn_log *l);

#endif
