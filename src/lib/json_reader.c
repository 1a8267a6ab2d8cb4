// SPDX-License-Identifier: GPL-2.0
/* Recursive-descent JSON parser (RFC 8259); see json_reader.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_reader.h"
#include "lib/json_writer.h"
#include "lib/util.h"

#define MAX_DEPTH 64

/* Every node, string and array of a parse comes from blocks freed together. */
struct arena {
	struct arena *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)

struct parser {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	int depth;
	struct arena *arena;
};

static void *alloc(struct parser *ps, size_t n)
{
	struct arena *a = ps->arena;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!a || a->used + n > a->cap) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		a = xmalloc(sizeof(*a) + cap);
		a->cap = cap;
		a->used = 0;
		a->next = ps->arena;
		ps->arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += n;
	return p;
}

static void arena_free(struct arena *a)
{
	while (a) {
		struct arena *next = a->next;

		free(a);
		a = next;
	}
}

static struct jval *fail(struct parser *ps, const char *what)
{
	if (ps->err && !ps->err[0])
		snprintf(ps->err, ps->errlen, "%s at byte %zu", what, (size_t)(ps->p - ps->start));
	return NULL;
}

static void ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct jval *new_val(struct parser *ps, enum jtype t)
{
	struct jval *v = alloc(ps, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = t;
	return v;
}

static void put_utf8(char *buf, size_t *len, unsigned int cp)
{
	char *b = buf + *len;

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
	size_t len = 0;
	const char *q;
	char *s;

	if (ps->p >= ps->end || *ps->p != '"')
		return (char *)fail(ps, "expected a string");
	ps->p++;
	/* decoded, a string is never longer than its source: size it from the closing quote */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	s = alloc(ps, (size_t)(q - ps->p) + 1);
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20)
			return (char *)fail(ps, "control character in a string");
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			/* a run of plain ASCII, copied at once */
			const char *r = ps->p;

			while (r < ps->end && (unsigned char)*r >= 0x20 &&
			       (unsigned char)*r < 0x80 && *r != '"' && *r != '\\')
				r++;
			memcpy(s + len, ps->p, (size_t)(r - ps->p));
			len += (size_t)(r - ps->p);
			ps->p = r;
			continue;
		}
		if (c != '\\') {
			size_t k = utf8_valid_len((const unsigned char *)ps->p,
						  (size_t)(ps->end - ps->p));

			if (!k)
				return (char *)fail(ps, "invalid UTF-8 in a string");
			memcpy(s + len, ps->p, k);
			len += k;
			ps->p += k;
			continue;
		}
		if (++ps->p >= ps->end)
			break;
		switch (*ps->p) {
		case '"':
		case '\\':
		case '/':
			s[len++] = *ps->p;
			break;
		case 'b':
			s[len++] = '\b';
			break;
		case 'f':
			s[len++] = '\f';
			break;
		case 'n':
			s[len++] = '\n';
			break;
		case 'r':
			s[len++] = '\r';
			break;
		case 't':
			s[len++] = '\t';
			break;
		case 'u': {
			unsigned int cp, lo;

			if (ps->end - ps->p < 5 || hex4(ps->p + 1, &cp))
				return (char *)fail(ps, "bad \\u escape");
			ps->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 7 &&
			    ps->p[1] == '\\' && ps->p[2] == 'u' && !hex4(ps->p + 3, &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				ps->p += 6;
			}
			put_utf8(s, &len, cp);
			break;
		}
		default:
			return (char *)fail(ps, "bad escape");
		}
		ps->p++;
	}
	if (ps->p >= ps->end)
		return (char *)fail(ps, "unterminated string");
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
	v = new_val(ps, J_NUM);
	if (integer && buf[0] != '-' && n < 20) {
		/* up to 19 digits: exact in a u64, no conversion routine needed */
		for (size_t i = 0; i < n; i++)
			v->u = v->u * 10 + (uint64_t)(buf[i] - '0');
		v->is_uint = true;
		v->num = (double)v->u;
	} else {
		v->num = strtod(buf, &end);
		if (integer && buf[0] != '-') {
			errno = 0;
			v->u = strtoull(buf, &end, 10);
			v->is_uint = !errno;
		}
	}
	ps->p = q;
	return v;
}

/* Room for one more item (and key): arrays double inside the arena. */
static void grow(struct parser *ps, struct jval *v, size_t *cap, bool object)
{
	size_t n = *cap ? 2 * *cap : 8;
	struct jval **items = alloc(ps, sizeof(*items) * n);

	if (v->n)
		memcpy(items, v->items, sizeof(*items) * v->n);
	v->items = items;
	if (object) {
		char **keys = alloc(ps, sizeof(*keys) * n);

		if (v->n)
			memcpy(keys, v->keys, sizeof(*keys) * v->n);
		v->keys = keys;
	}
	*cap = n;
}

static struct jval *parse_container(struct parser *ps, bool object)
{
	struct jval *v = new_val(ps, object ? J_OBJ : J_ARR);
	char close = object ? '}' : ']';
	size_t cap = 0;

	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "nested too deeply");
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
			if (!(key = parse_string(ps)))
				return NULL;
			ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		if (!(item = parse_value(ps)))
			return NULL;
		if (v->n == cap)
			grow(ps, v, &cap, object);
		if (object)
			v->keys[v->n] = key;
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
		return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
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
		v = new_val(ps, J_STR);
		v->str = s;
		return v;
	}
	case 't':
	case 'f':
		if (literal(ps, "true") || literal(ps, "false")) {
			v = new_val(ps, J_BOOL);
			v->b = ps->p[-1] == 'e' && ps->p[-2] == 'u';
			return v;
		}
		return fail(ps, "unexpected token");
	case 'n':
		if (literal(ps, "null"))
			return new_val(ps, J_NULL);
		return fail(ps, "unexpected token");
	default:
		return parse_number(ps);
	}
}

struct jval *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = {text, text, text + len, err, errlen, 0, NULL};
	struct jval *v;

	if (err && errlen)
		err[0] = '\0';
	v = parse_value(&ps);
	if (v) {
		ws(&ps);
		if (ps.p != ps.end)
			v = fail(&ps, "trailing data");
	}
	if (!v) {
		arena_free(ps.arena);
		return NULL;
	}
	v->arena = ps.arena;
	return v;
}

void json_free(struct jval *v)
{
	if (v)
		arena_free(v->arena);
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

bool json_u64(const struct jval *v, uint64_t *out)
{
	if (!v || v->t != J_NUM)
		return false;
	if (v->is_uint)
		*out = v->u;
	else if (!(v->num > 0)) /* negatives and NaN */
		*out = 0;
	else if (v->num >= 18446744073709551616.0)
		*out = UINT64_MAX;
	else
		*out = (uint64_t)v->num;
	return true;
}
