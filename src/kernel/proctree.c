// SPDX-License-Identifier: GPL-2.0
/* Process command lines and exits from ring-buffer records; see proctree.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_abi.h"
#include "model/config.h"
#include "kernel/proctree.h"
#include "lib/util.h"

void proctree__init(struct proctree *t)
{
	memset(t, 0, sizeof(*t));
}

void proctree__release(struct proctree *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->cmdline[i]);
	free(t->cmdline);
	memset(t, 0, sizeof(*t));
}

static char **slot_ref(struct proctree *t, uint32_t slot)
{
	if (slot >= t->cap) {
		size_t cap = t->cap ? t->cap : 64;

		while (cap <= slot)
			cap *= 2;
		t->cmdline = xrealloc(t->cmdline, cap * sizeof(*t->cmdline));
		memset(t->cmdline + t->cap, 0, (cap - t->cap) * sizeof(*t->cmdline));
		t->cap = cap;
	}
	return &t->cmdline[slot];
}

void proctree__set_args(struct proctree *t, uint32_t slot, const char *args, size_t len,
			bool truncated)
{
	size_t mark = truncated ? strlen(CMDLINE_CUT_MARK) : 0;
	char **ref, *s;

	while (len && args[len - 1] == '\0')
		len--;
	if (!len)
		return;
	ref = slot_ref(t, slot);
	s = xmalloc(len + mark + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = args[i] ? args[i] : ' ';
	memcpy(s + len, CMDLINE_CUT_MARK, mark);
	s[len + mark] = '\0';
	free(*ref);
	*ref = s;
}

int proctree__read_proc(struct proctree *t, uint32_t slot, uint32_t pid)
{
	char path[64], *buf = xmalloc(CMDLINE_PROC_MAX + 1);
	long n;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_file(path, buf, CMDLINE_PROC_MAX + 1);
	/* a full buffer: the file goes on */
	if (n >= 0)
		proctree__set_args(t, slot, buf, (size_t)n, n == CMDLINE_PROC_MAX);
	free(buf);
	/* empty: a zombie, or a kernel thread -- nothing learned */
	return n < 0 ? (int)n : n ? 0 : -ENOENT;
}

int proctree__handle(struct proctree *t, const void *data, size_t len)
{
	const struct ev_hdr *h = data;

	/* slots come from procscope's own programs: still, never trust a size from a record */
	if (len < sizeof(*h) || h->slot >= MAX_PROCS_LIMIT + SLOT_FIRST)
		return -EINVAL;
	t->events++;
	switch (h->kind) {
	case EV_EXEC: {
		const struct ev_exec *e = data;

		if (len < EV_EXEC_SIZE(0) || e->args_len > CMDLINE_MAX ||
		    len < EV_EXEC_SIZE(e->args_len))
			return -EINVAL;
		if (h->slot == SLOT_OVERFLOW)
			break;
		/* arguments unreadable or cut: procfs has them whole while the process lives */
		if (e->args_len == 0 || e->truncated) {
			if (proctree__read_proc(t, h->slot, h->pid) == 0)
				break;
		}
		if (e->args_len)
			proctree__set_args(t, h->slot, e->args, e->args_len, e->truncated);
		break;
	}
	case EV_PROC:
		if (h->slot != SLOT_OVERFLOW)
			proctree__read_proc(t, h->slot, h->pid);
		break;
	case EV_EXIT:
		if (len < sizeof(struct ev_exit))
			return -EINVAL;
		t->exits++;
		break;
	case EV_OOM:
		t->ooms++;
		break;
	case EV_STACKS:
	case EV_MAPS:
		break; /* the symbolizer's and unwinder's business (app/tracing.c) */
	default:
		return -EINVAL;
	}
	return (int)h->kind;
}

const char *proctree__cmdline(const struct proctree *t, uint32_t slot)
{
	return slot < t->cap ? t->cmdline[slot] : NULL;
}

const char *proctree__cmdline_cb(void *ctx, uint32_t slot)
{
	return proctree__cmdline(ctx, slot);
}
