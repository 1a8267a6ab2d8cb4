/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer for NDJSON records. Strings are bytes chosen by whoever
 * started a process, so they are escaped defensively: every control byte (and DEL)
 * becomes \u00XX, and bytes that are not valid UTF-8 become U+FFFD. The output is
 * always valid JSON in valid UTF-8, on one line.
 */
#ifndef PROCSCOPE_JSON_WRITER_H
#define PROCSCOPE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The NDJSON records' schema (docs/json-schema.md), in every record procscope writes. */
#define JSON_SCHEMA_VERSION 4

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no value written yet at this depth */
	bool after_key;
};

void jw_init(struct json_writer *w, FILE *f);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_string(struct json_writer *w, const char *s);
void jw_string_n(struct json_writer *w, const char *s, size_t n);
void jw_u64(struct json_writer *w, uint64_t v);
void jw_i64(struct json_writer *w, int64_t v);
void jw_double(struct json_writer *w, double v); /* non-finite as null */
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
/* End of an NDJSON record. */
void jw_end_record(struct json_writer *w);

static inline void jw_kv_u64(struct json_writer *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_u64(w, v);
}

static inline void jw_kv_i64(struct json_writer *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_i64(w, v);
}

static inline void jw_kv_str(struct json_writer *w, const char *k, const char *v)
{
	jw_key(w, k);
	if (v)
		jw_string(w, v);
	else
		jw_null(w);
}

static inline void jw_kv_double(struct json_writer *w, const char *k, double v)
{
	jw_key(w, k);
	jw_double(w, v);
}

static inline void jw_kv_bool(struct json_writer *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0 if invalid. */
size_t utf8_valid_len(const unsigned char *s, size_t n);

#endif
