// SPDX-License-Identifier: GPL-2.0
/* The kernel's event records, decoded; see events.h. */
#include <string.h>

#include "kernel/events.h"

void events_decode(struct session *s, struct proctree *tree, struct conn_log *conns,
		   const void *data, size_t len, struct proc_event *out)
{
	const struct ev_hdr *h = data;
	const struct proc_rec *p;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h->kind))
		return;
	if (h->kind == EV_TCP_CLOSE && len >= sizeof(*h)) {
		char comm[COMM_LEN + 1] = "";

		p = session__proc(s, h->slot, h->pid);
		if (p)
			memcpy(comm, p->comm, COMM_LEN);
		conn_log__add(conns, data, len, p ? comm : NULL);
		out->kind = PE_CONN;
		return;
	}
	switch (proctree__handle(tree, data, len)) {
	case EV_EXEC:
		out->kind = PE_EXEC;
		break;
	case EV_EXIT: {
		const struct ev_exit *x = data; /* its length checked by proctree__handle() */

		out->kind = PE_EXIT;
		out->has_stacks = !!(x->flags & PROC_F_STACKS);
		out->agg = x->agg;
		break;
	}
	case EV_STACKS:
		out->kind = PE_STACKS;
		break;
	case EV_MAPS:
		out->kind = PE_MAPS;
		break;
	case EV_PROC:
		out->kind = PE_FIRST_SEEN;
		break;
	default:
		return;
	}
	out->slot = h->slot;
	out->pid = h->pid;
	out->ts_ns = h->ts_ns;
}
