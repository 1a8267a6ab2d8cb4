// SPDX-License-Identifier: GPL-2.0
/* Recursive-descent JSON syntax check (RFC 8259), for asserting renderer output is valid. */
#include <ctype.h>
#include <string.h>

#include "json_check.h"
#include "json_writer.h"

struct jc {
	const unsigned char *p, *end;
	int depth;
};

static void ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool lit(struct jc *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

static bool string(struct jc *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		size_t len;

		if (*c->p < 0x20)
			return false;
		if (*c->p == '\\') {
			c->p++;
			if (c->p >= c->end)
				return false;
			if (*c->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (c->p + i >= c->end || !isxdigit(c->p[i]))
						return false;
				c->p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *c->p))
				return false;
			c->p++;
			continue;
		}
		len = utf8_valid_len(c->p, (size_t)(c->end - c->p));
		if (!len)
			return false;
		c->p += len;
	}
	if (c->p >= c->end)
		return false;
	c->p++;
	return true;
}

static bool number(struct jc *c)
{
	const unsigned char *start = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || !isdigit(*c->p))
		return false;
	if (*c->p == '0')
		c->p++;
	else
		while (c->p < c->end && isdigit(*c->p))
			c->p++;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p >= c->end || !isdigit(*c->p))
			return false;
		while (c->p < c->end && isdigit(*c->p))
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || !isdigit(*c->p))
			return false;
		while (c->p < c->end && isdigit(*c->p))
			c->p++;
	}
	return c->p > start;
}

static bool value(struct jc *c);

static bool container(struct jc *c, char open, char close, bool keys)
{
	if (++c->depth > 64)
		return false;
	c->p++; /* open */
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		ws(c);
		if (keys) {
			if (!string(c))
				return false;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return false;
			c->p++;
			ws(c);
		}
		if (!value(c))
			return false;
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return true;
		}
		return false;
	}
	(void)open;
}

static bool value(struct jc *c)
{
	ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{':
		return container(c, '{', '}', true);
	case '[':
		return container(c, '[', ']', false);
	case '"':
		return string(c);
	case 't':
		return lit(c, "true");
	case 'f':
		return lit(c, "false");
	case 'n':
		return lit(c, "null");
	default:
		return number(c);
	}
}

bool json_valid(const char *s, size_t n)
{
	struct jc c = {(const unsigned char *)s, (const unsigned char *)s + n, 0};

	if (!value(&c))
		return false;
	ws(&c);
	return c.p == c.end;
}
