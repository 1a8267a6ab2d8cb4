/* SPDX-License-Identifier: GPL-2.0 */
/* For tests: JSON text checked and parsed with the reader the program uses. */
#ifndef PROCSCOPE_JSON_CHECK_H
#define PROCSCOPE_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <string.h>

#include "lib/json_reader.h"
#include "test.h"

/* Is this text exactly one valid JSON value (RFC 8259, UTF-8)? */
static inline bool json_valid(const char *s, size_t n)
{
	char err[128];
	struct jval *v = json_parse(s, n, err, sizeof(err));
	bool ok = v != NULL;

	json_free(v);
	return ok;
}

/* @s parsed (the caller frees it), or NULL and a failed check. */
static inline struct jval *json_parse_test(const char *s)
{
	char err[128];
	struct jval *v = json_parse(s, strlen(s), err, sizeof(err));

	if (!v)
		test_fail(__FILE__, __LINE__, "parse: %s", err);
	return v;
}

#endif
