// SPDX-License-Identifier: GPL-2.0
/* Closed TCP connections from ring-buffer records; see conns.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conns.h"
#include "util.h"

int conn_log__add(struct conn_log *l, const void *data, size_t len)
{
	const struct ev_tcp_close *e = data;
	struct tcp_conn_info *c;

	if (len < sizeof(*e) || e->kind != EV_TCP_CLOSE)
		return -EINVAL;
	if (l->n == CONNS_MAX) {
		l->dropped++;
		return 0;
	}
	if (!l->c)
		l->c = xcalloc(CONNS_MAX, sizeof(*l->c));
	c = &l->c[l->n++];
	c->slot = e->slot;
	c->pid = e->pid;
	c->lport = e->lport;
	c->passive = e->passive;
	c->key = e->key;
	c->end_ns = e->ts_ns;
	c->lifetime_ns = e->lifetime_ns;
	c->tx_bytes = e->tx_bytes;
	c->rx_bytes = e->rx_bytes;
	c->retransmits = e->retransmits;
	return 0;
}

void conn_log__release(struct conn_log *l)
{
	free(l->c);
	memset(l, 0, sizeof(*l));
}
