/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON parser into a tree, for reading procscope's own records back: a
 * baseline report, and the record alert rules are evaluated on. Integers keep their
 * exact 64-bit value (nanosecond counts exceed a double's precision).
 */
#ifndef PROCSCOPE_JSON_READER_H
#define PROCSCOPE_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct arena;

struct jval {
	enum jtype t;
	bool b;
	double num;
	bool is_uint; /* a non-negative integer: exact in u */
	uint64_t u;
	char *str;	     /* J_STR */
	struct jval **items; /* J_ARR values, J_OBJ values */
	char **keys;	     /* J_OBJ */
	size_t n;
	struct arena *arena; /* the root of a parse: the memory of the whole tree */
};

/* Parse @len bytes; NULL on error with the reason and its offset in @err. */
struct jval *json_parse(const char *text, size_t len, char *err, size_t errlen);
/* Free a tree json_parse() returned (all of it: only its root may be passed). */
void json_free(struct jval *v);

const struct jval *json_get(const struct jval *obj, const char *key);
/* "target.sched.runq_latency.p99_ns": object keys only. */
const struct jval *json_path(const struct jval *root, const char *path);
/* The value as a number (exact integers become doubles); false if not a number. */
bool json_number(const struct jval *v, double *out);
/* The value as an unsigned integer: exact for integers, truncated for other
 * numbers, 0 below zero, UINT64_MAX above it; false if not a number. */
bool json_u64(const struct jval *v, uint64_t *out);

#endif
