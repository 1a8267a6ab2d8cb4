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

#include "raw_dump.h"

#define CONNS_MAX 4096

struct conn_log {
	struct tcp_conn_info *c; /* oldest first */
	size_t n;
	uint64_t dropped; /* closed beyond CONNS_MAX */
};

/* Add the connection of one EV_TCP_CLOSE record; -EINVAL if it is malformed. */
int conn_log__add(struct conn_log *l, const void *data, size_t len);
void conn_log__release(struct conn_log *l);

#endif
