// SPDX-License-Identifier: GPL-2.0
/* Perf map files; see perfmap.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/perfmap.h"
#include "lib/untrusted.h"
#include "lib/util.h"

static int cmp_sym(const void *a, const void *b)
{
	const struct perfmap_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void perfmap_parse(struct perfmap *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t cap = 0, names_cap = 0;
	uint32_t line = 0;

	perfmap_release(m);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		uint64_t start, size;
		size_t n;

		if (!eol)
			eol = end;
		line++;
		if (hex_field(&q, eol, &start) && hex_field(&q, eol, &size) && q < eol && size &&
		    start + size > start) {
			n = (size_t)(eol - q);
			if (m->n == cap) {
				cap = cap ? cap * 2 : 256;
				m->syms = xrealloc(m->syms, cap * sizeof(*m->syms));
			}
			if (m->names_len + n + 1 > names_cap) {
				names_cap = (m->names_len + n + 1) * 2;
				m->names = xrealloc(m->names, names_cap);
			}
			memcpy(m->names + m->names_len, q, n);
			m->names[m->names_len + n] = '\0';
			m->syms[m->n++] = (struct perfmap_sym){start, start + size,
							       (uint32_t)m->names_len, line};
			m->names_len += n + 1;
		}
		p = eol + 1;
	}
	if (m->n)
		qsort(m->syms, m->n, sizeof(*m->syms), cmp_sym);
}

int perfmap_load(struct perfmap *m, int root, const char *path, uid_t owner)
{
	int fd = open_untrusted(root, path, UNTRUSTED_NOFOLLOW, owner);
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t r;

	if (fd < 0)
		return fd;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len);
		if (r > 0)
			len += (size_t)r;
	} while ((r > 0 || (r < 0 && errno == EINTR)) && len < PERFMAP_MAX_BYTES);
	close(fd);
	perfmap_parse(m, buf ? buf : "", len);
	free(buf);
	return 0;
}

const char *perfmap_lookup(const struct perfmap *m, uint64_t ip)
{
	size_t lo = 0, hi = m->n;
	const struct perfmap_sym *best = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].start <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* of the symbols that start at or below @ip and hold it, the latest line */
	for (size_t i = lo, k = 0; i-- > 0 && k < 64; k++) {
		const struct perfmap_sym *s = &m->syms[i];

		if (ip < s->end && (!best || s->order > best->order))
			best = s;
	}
	return best ? m->names + best->name : NULL;
}

void perfmap_release(struct perfmap *m)
{
	free(m->syms);
	free(m->names);
	memset(m, 0, sizeof(*m));
}
