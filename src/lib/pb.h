/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A protocol buffers encoder for the few messages procscope writes (pprof profiles,
 * Perfetto traces): a growing byte buffer, varints, length-delimited fields, and
 * nested messages encoded apart then added whole.
 */
#ifndef PROCSCOPE_PB_H
#define PROCSCOPE_PB_H

#include <stddef.h>
#include <stdint.h>

#define PB_WT_VARINT 0
#define PB_WT_FIXED64 1
#define PB_WT_LEN 2

struct pb {
	unsigned char *b;
	size_t len, cap;
};

void pb_byte(struct pb *p, unsigned char c);
void pb_varint(struct pb *p, uint64_t v);
void pb_key(struct pb *p, int field, int wt);
/* A varint field; zero, the default, is left out. */
void pb_uint(struct pb *p, int field, uint64_t v);
/* A varint field, zero included (a proto2 field whose presence means something). */
void pb_uint_always(struct pb *p, int field, uint64_t v);
void pb_fixed64(struct pb *p, int field, uint64_t v);
void pb_bytes(struct pb *p, int field, const void *data, size_t n);
void pb_str(struct pb *p, int field, const char *s);
/* @m added as field @field of @p, then emptied (its memory kept for reuse). */
void pb_msg(struct pb *p, int field, struct pb *m);
void pb_packed(struct pb *p, int field, const uint64_t *v, size_t n);
void pb_free(struct pb *p);

#endif
