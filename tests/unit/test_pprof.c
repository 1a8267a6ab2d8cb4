// SPDX-License-Identifier: GPL-2.0
/*
 * pprof: the gzipped protobuf decodes, with the samples, locations and strings written.
 */
#include <stdlib.h>
#include <zlib.h>

#include "render/render.h"
#include "stacks_fixture.h"
#include "test.h"

/* A minimal protobuf reader for the test: top-level fields of a Profile. */
static uint64_t varint(const unsigned char **p)
{
	uint64_t v = 0;
	int shift = 0;

	while (**p & 0x80) {
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		(*p)++;
	}
	v |= (uint64_t) * *p << shift;
	(*p)++;
	return v;
}

TEST(test_pprof__decodes)
{
	char path[] = "/tmp/procscope-pprof-XXXXXX";
	unsigned char buf[65536], *p, *end;
	struct stack_set set;
	uint64_t samples = 0, strings = 0, first_string_len = 99;
	int fd = mkstemp(path), n;
	FILE *f = fdopen(fd, "w");
	gzFile gz;

	fixture(&set);
	CHECK_I64(render_pprof(f, &set, 1, 2), 0);
	fclose(f);
	gz = gzopen(path, "rb");
	n = gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	unlink(path);
	CHECK(n > 0);
	for (p = buf, end = buf + (n > 0 ? n : 0); p < end;) {
		uint64_t key = varint((const unsigned char **)&p), len;
		const unsigned char *q, *qend;

		if ((key & 7) == 0) {
			varint((const unsigned char **)&p);
			continue;
		}
		len = varint((const unsigned char **)&p);
		if (key >> 3 == 6 && strings++ == 0)
			first_string_len = len;
		if (key >> 3 == 2) {
			/* Sample: the packed values; the first is the sample count */
			for (q = p, qend = p + len; q < qend;) {
				uint64_t k = varint(&q), l = varint(&q);

				if (k >> 3 == 2) {
					const unsigned char *v = q;

					samples += varint(&v);
				}
				q += l;
			}
		}
		p += len;
	}
	CHECK_U64(samples, 46);		/* on-CPU samples: 30 + 10 + 5 + 1; off-CPU adds 0 */
	CHECK_U64(first_string_len, 0); /* string_table[0] is "" */
	CHECK(strings > 10);
	stacks_release(&set);
}
