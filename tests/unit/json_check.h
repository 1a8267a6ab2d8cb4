/* SPDX-License-Identifier: GPL-2.0 */
/* For tests: is this text exactly one valid JSON value (RFC 8259, UTF-8)? */
#ifndef PROCSCOPE_JSON_CHECK_H
#define PROCSCOPE_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "json_reader.h"

static inline bool json_valid(const char *s, size_t n)
{
	char err[128];
	struct jval *v = json_parse(s, n, err, sizeof(err));
	bool ok = v != NULL;

	json_free(v);
	return ok;
}

#endif
