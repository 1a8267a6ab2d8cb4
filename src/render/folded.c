// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks, the format of Brendan Gregg's FlameGraph tools: one line per
 * distinct stack, "comm;outermost;...;leaf VALUE", kernel frames marked "_[k]".
 * On-CPU lines count samples; off-CPU lines weigh microseconds. Identical lines
 * (stacks that symbolized the same) are merged.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "lib/util.h"

struct line {
	char *text;
	uint64_t value;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* Append @sep, then a name made safe for the format (';' separates frames). */
static void put_name(char **buf, size_t *len, size_t *cap, const char *sep, const char *s,
		     bool kernel)
{
	size_t n = strlen(sep) + strlen(s) + 8;

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	while (*sep)
		(*buf)[(*len)++] = *sep++;
	for (; *s; s++)
		(*buf)[(*len)++] = *s == ';' ? ':' : (unsigned char)*s < 0x20 ? '?' : *s;
	if (kernel) {
		memcpy(*buf + *len, "_[k]", 4);
		*len += 4;
	}
	(*buf)[*len] = '\0';
}

char *folded_line(const struct stack_set *set, const struct stack *st)
{
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	put_name(&buf, &len, &cap, "", st->comm, false);
	for (uint32_t i = 0; i < st->n_frames; i++) {
		const struct frame *f = &set->frames[st->frames[i]];

		put_name(&buf, &len, &cap, ";", set->strs[f->name], f->kernel);
	}
	return buf;
}

int render_folded(FILE *f, const struct stack_set *set, enum stack_kind kind)
{
	struct line *lines = xcalloc(set->n ? set->n : 1, sizeof(*lines));
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct stack *st = &set->stacks[i];

		if (st->kind != kind)
			continue;
		lines[n].text = folded_line(set, st);
		lines[n].value = kind == STACK_ONCPU ? st->count : st->ns / NSEC_PER_USEC;
		n++;
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < n;) {
		uint64_t v = 0;
		size_t j;

		for (j = i; j < n && !strcmp(lines[j].text, lines[i].text); j++)
			v += lines[j].value;
		if (v)
			fprintf(f, "%s %llu\n", lines[i].text, (unsigned long long)v);
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	return ferror(f) ? -1 : 0;
}
