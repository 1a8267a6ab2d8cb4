// SPDX-License-Identifier: GPL-2.0
/* CPython's interpreters and line tables; see python.h. */
#include <errno.h>
#include <string.h>

#include "symbols/elfsyms.h"
#include "symbols/python.h"

bool py_file_name(const char *path)
{
	const char *base = strrchr(path, '/'), *v;

	base = base ? base + 1 : path;
	if (!strncmp(base, "python3", 7))
		v = base + 7;
	else if (!strncmp(base, "libpython3", 10))
		v = base + 10;
	else
		return false;
	/* python3.13t: the build without the GIL lays its objects out otherwise */
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9'; v++)
			;
	return *v != 't';
}

int py_elf_probe(int fd, uint64_t *runtime, uint32_t *version)
{
	uint64_t at;
	uint32_t v;

	/* Py_Version: a constant since 3.11, PY_VERSION_HEX in its low 32 bits */
	if (elf_object_fd(fd, "Py_Version", &at, &v, sizeof(v)) ||
	    elf_object_fd(fd, "_PyRuntime", runtime, NULL, 0) || (v >> 24) != 3 ||
	    ((v >> 16) & 0xff) < 11)
		return -ENOENT;
	*version = v;
	return 0;
}

/* An unsigned varint of the line table: 6 bits a byte, low first, 0x40: more */
static uint32_t varint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t v = 0;

	for (unsigned int shift = 0; *i < len && shift < 32; shift += 6) {
		uint8_t b = t[(*i)++];

		v |= (uint32_t)(b & 63) << shift;
		if (!(b & 64))
			break;
	}
	return v;
}

/* ... signed: the sign in the low bit */
static int32_t svarint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t v = varint(t, len, i);

	return v & 1 ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
}

enum {
	LOC_SHORT_MAX = 9,   /* 0-9: same line, a column byte */
	LOC_ONE_LINE0 = 10,  /* 10-12: line + 0..2, two column bytes */
	LOC_NO_COLUMNS = 13, /* a signed line delta */
	LOC_LONG = 14,	     /* signed line delta, end line, two columns */
	LOC_NONE = 15,	     /* no line */
};

int py_line(const uint8_t *t, size_t len, int first, uint32_t idx)
{
	uint32_t at = 0;
	int line = first;
	size_t i = 0;

	while (i < len) {
		uint8_t b = t[i++];
		unsigned int code = (b >> 3) & 15, n = (b & 7) + 1;

		if (!(b & 0x80))
			return -1; /* not an entry's first byte: a table cut mid-entry */
		if (code == LOC_LONG) {
			line += svarint(t, len, &i);
			for (int k = 0; k < 3; k++)
				varint(t, len, &i);
		} else if (code == LOC_NO_COLUMNS) {
			line += svarint(t, len, &i);
		} else if (code >= LOC_ONE_LINE0 && code < LOC_NO_COLUMNS) {
			line += (int)(code - LOC_ONE_LINE0);
			i += 2;
		} else if (code <= LOC_SHORT_MAX) {
			i += 1;
		}
		if (i > len)
			return -1;
		if (idx < at + n)
			return code == LOC_NONE ? -1 : line;
		at += n;
	}
	return -1;
}
