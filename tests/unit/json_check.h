/* SPDX-License-Identifier: GPL-2.0 */
/* A strict JSON syntax checker for tests: is this text exactly one valid JSON value? */
#ifndef PROCSCOPE_JSON_CHECK_H
#define PROCSCOPE_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* True if @s[0, n) is one JSON value (whitespace around allowed). */
bool json_valid(const char *s, size_t n);

#endif
