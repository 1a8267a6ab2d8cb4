// SPDX-License-Identifier: GPL-2.0
/* Protocol buffers encoding: see pb.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/pb.h"
#include "lib/util.h"

static void pb_reserve(struct pb *p, size_t n)
{
	if (p->len + n <= p->cap)
		return;
	while (p->len + n > p->cap)
		p->cap = p->cap ? p->cap * 2 : 4096;
	p->b = xrealloc(p->b, p->cap);
}

void pb_byte(struct pb *p, unsigned char c)
{
	pb_reserve(p, 1);
	p->b[p->len++] = c;
}

void pb_varint(struct pb *p, uint64_t v)
{
	pb_reserve(p, 10);
	while (v >= 0x80) {
		p->b[p->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p->b[p->len++] = (unsigned char)v;
}

void pb_key(struct pb *p, int field, int wt)
{
	pb_varint(p, ((uint64_t)field << 3) | (uint64_t)wt);
}

void pb_uint(struct pb *p, int field, uint64_t v)
{
	if (v)
		pb_uint_always(p, field, v);
}

void pb_uint_always(struct pb *p, int field, uint64_t v)
{
	pb_key(p, field, PB_WT_VARINT);
	pb_varint(p, v);
}

void pb_fixed64(struct pb *p, int field, uint64_t v)
{
	pb_key(p, field, PB_WT_FIXED64);
	pb_reserve(p, 8);
	for (int i = 0; i < 8; i++)
		p->b[p->len++] = (unsigned char)(v >> (8 * i));
}

void pb_bytes(struct pb *p, int field, const void *data, size_t n)
{
	pb_key(p, field, PB_WT_LEN);
	pb_varint(p, n);
	pb_reserve(p, n);
	if (n)
		memcpy(p->b + p->len, data, n);
	p->len += n;
}

void pb_str(struct pb *p, int field, const char *s)
{
	pb_bytes(p, field, s, strlen(s));
}

void pb_msg(struct pb *p, int field, struct pb *m)
{
	pb_bytes(p, field, m->b, m->len);
	m->len = 0;
}

void pb_packed(struct pb *p, int field, const uint64_t *v, size_t n)
{
	struct pb tmp = {0};

	for (size_t i = 0; i < n; i++)
		pb_varint(&tmp, v[i]);
	pb_bytes(p, field, tmp.b, tmp.len);
	free(tmp.b);
}

void pb_free(struct pb *p)
{
	free(p->b);
	p->b = NULL;
	p->len = p->cap = 0;
}
