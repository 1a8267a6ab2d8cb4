// SPDX-License-Identifier: GPL-2.0
/* Recursive-descent JSON parser (RFC 8259); see json_reader.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"
#include "util.h"

#define MAX_DEPTH 64

struct parser {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int depth;
};

static struct jval *fail(struct parser *ps, const char *what)
{
	if (ps->err && !ps->err[0])
		snprintf(ps->err, ps->errlen, "%s at byte %zu", what, (size_t)(ps->p - ps->start));
	return NULL;
}

static void ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct jval *new_val(enum jtype t)
{
	struct jval *v = xcalloc(1, sizeof(*v));

	v->t = t;
	return v;
}

static void put_utf8(char **buf, size_t *len, unsigned int cp)
{
	char *b = *buf + *len;

	if (cp < 0x80) {
		b[0] = (char)cp;
		*len += 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		*len += 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		*len += 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		*len += 4;
	}
}

static int hex4(const char *p, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at ps->p (on the quote); NULL on error. */
static char *parse_string(struct parser *ps)
{
	size_t cap = 16, len = 0;
	char *s;

	if (ps->p >= ps->end || *ps->p != '"')
		return (char *)fail(ps, "expected a string");
	ps->p++;
	s = xmalloc(cap);
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (len + 5 > cap)
			s = xrealloc(s, cap *= 2);
		if (c < 0x20) {
			free(s);
			return (char *)fail(ps, "control character in a string");
		}
		if (c != '\\') {
			size_t k = utf8_valid_len((const unsigned char *)ps->p,
						  (size_t)(ps->end - ps->p));

			if (!k) {
				free(s);
				return (char *)fail(ps, "invalid UTF-8 in a string");
			}
			if (len + k + 1 > cap)
				s = xrealloc(s, cap = 2 * cap + k);
			memcpy(s + len, ps->p, k);
			len += k;
			ps->p += k;
			continue;
		}
		if (++ps->p >= ps->end)
			break;
		switch (*ps->p) {
		case '"': case '\\': case '/':
			s[len++] = *ps->p;
			break;
		case 'b': s[len++] = '\b'; break;
		case 'f': s[len++] = '\f'; break;
		case 'n': s[len++] = '\n'; break;
		case 'r': s[len++] = '\r'; break;
		case 't': s[len++] = '\t'; break;
		case 'u': {
			unsigned int cp, lo;

			if (ps->end - ps->p < 5 || hex4(ps->p + 1, &cp)) {
				free(s);
				return (char *)fail(ps, "bad \\u escape");
			}
			ps->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 7 && ps->p[1] == '\\' &&
			    ps->p[2] == 'u' && !hex4(ps->p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				ps->p += 6;
			}
			put_utf8(&s, &len, cp);
			break;
		}
		default:
			free(s);
			return (char *)fail(ps, "bad escape");
		}
		ps->p++;
	}
	if (ps->p >= ps->end) {
		free(s);
		return (char *)fail(ps, "unterminated string");
	}
	ps->p++;
	s[len] = '\0';
	return s;
}

static struct jval *parse_value(struct parser *ps);

static bool digits(const char **q, const char *end)
{
	const char *start = *q;

	while (*q < end && **q >= '0' && **q <= '9')
		(*q)++;
	return *q > start;
}

/* RFC 8259 numbers exactly: no leading zeros, no bare '.', no '+' in front. */
static struct jval *parse_number(struct parser *ps)
{
	const char *q = ps->p;
	struct jval *v;
	char buf[64], *end;
	size_t n;
	bool integer = true;

	if (q < ps->end && *q == '-')
		q++;
	if (q < ps->end && *q == '0')
		q++;
	else if (!digits(&q, ps->end))
		return fail(ps, "bad number");
	if (q < ps->end && *q == '.') {
		q++;
		integer = false;
		if (!digits(&q, ps->end))
			return fail(ps, "bad number");
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		integer = false;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (!digits(&q, ps->end))
			return fail(ps, "bad number");
	}
	n = (size_t)(q - ps->p);
	if (n >= sizeof(buf))
		return fail(ps, "number too long");
	memcpy(buf, ps->p, n);
	buf[n] = '\0';
	v = new_val(J_NUM);
	v->num = strtod(buf, &end);
	if (integer && buf[0] != '-') {
		errno = 0;
		v->u = strtoull(buf, &end, 10);
		v->is_uint = !errno;
	}
	ps->p = q;
	return v;
}

static struct jval *parse_container(struct parser *ps, bool object)
{
	struct jval *v = new_val(object ? J_OBJ : J_ARR);
	char close = object ? '}' : ']';

	if (++ps->depth > MAX_DEPTH) {
		json_free(v);
		return fail(ps, "nested too deeply");
	}
	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jval *item;

		ws(ps);
		if (object) {
			key = parse_string(ps);
			if (!key)
				goto bad;
			ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto bad;
			}
			ps->p++;
		}
		item = parse_value(ps);
		if (!item) {
			free(key);
			goto bad;
		}
		v->items = xrealloc(v->items, sizeof(*v->items) * (v->n + 1));
		if (object) {
			v->keys = xrealloc(v->keys, sizeof(*v->keys) * (v->n + 1));
			v->keys[v->n] = key;
		}
		v->items[v->n++] = item;
		ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

static bool literal(struct parser *ps, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n))
		return false;
	ps->p += n;
	return true;
}

static struct jval *parse_value(struct parser *ps)
{
	struct jval *v;

	ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"': {
		char *s = parse_string(ps);

		if (!s)
			return NULL;
		v = new_val(J_STR);
		v->str = s;
		return v;
	}
	case 't':
	case 'f':
		if (literal(ps, "true") || literal(ps, "false")) {
			v = new_val(J_BOOL);
			v->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';
			return v;
		}
		return fail(ps, "unexpected token");
	case 'n':
		if (literal(ps, "null"))
			return new_val(J_NULL);
		return fail(ps, "unexpected token");
	default:
		return parse_number(ps);
	}
}

struct jval *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = {text, text, text + len, err, errlen, 0};
	struct jval *v;

	if (err && errlen)
		err[0] = '\0';
	v = parse_value(&ps);
	if (!v)
		return NULL;
	ws(&ps);
	if (ps.p != ps.end) {
		json_free(v);
		return fail(&ps, "trailing data");
	}
	return v;
}

void json_free(struct jval *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct jval *json_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

const struct jval *json_path(const struct jval *root, const char *path)
{
	char key[128];

	while (root && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		root = json_get(root, key);
		path += n + (path[n] == '.');
	}
	return root;
}

bool json_number(const struct jval *v, double *out)
{
	if (!v || v->t != J_NUM)
		return false;
	*out = v->is_uint ? (double)v->u : v->num;
	return true;
}
