// SPDX-License-Identifier: GPL-2.0
/* Closed TCP connections from ring-buffer records; see conn_log.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conn_log.h"
#include "lib/util.h"

int conn_log__add(struct conn_log *l, const void *data, size_t len, const char *comm)
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
	memset(c->comm, 0, sizeof(c->comm));
	if (comm)
		strncpy(c->comm, comm, sizeof(c->comm) - 1);
	return 0;
}

static int cmp_bytes_desc(const void *a, const void *b)
{
	const struct tcp_conn_info *x = a, *y = b;
	uint64_t bx = x->tx_bytes + x->rx_bytes, by = y->tx_bytes + y->rx_bytes;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

void conn_log__trim(struct conn_log *l, uint64_t until_ns, size_t keep)
{
	struct tcp_conn_info *old;
	size_t n_old = 0, n = 0, kept;

	if (!l->n)
		return;
	old = xcalloc(l->n, sizeof(*old));
	/* the old ones apart, the rest kept in order */
	for (size_t i = 0; i < l->n; i++) {
		if (l->c[i].end_ns <= until_ns)
			old[n_old++] = l->c[i];
		else
			l->c[n++] = l->c[i];
	}
	qsort(old, n_old, sizeof(*old), cmp_bytes_desc);
	kept = n_old < keep ? n_old : keep;
	/* the largest first: still the oldest, as they ended by until_ns */
	memmove(&l->c[kept], l->c, n * sizeof(*l->c));
	memcpy(l->c, old, kept * sizeof(*l->c));
	l->n = kept + n;
	l->trimmed += n_old - kept;
	if (n_old - kept)
		l->trimmed_until_ns = until_ns;
	free(old);
}

void conn_log__release(struct conn_log *l)
{
	free(l->c);
	memset(l, 0, sizeof(*l));
}
