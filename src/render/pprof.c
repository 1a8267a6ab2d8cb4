// SPDX-License-Identifier: GPL-2.0
/*
 * pprof output: a Profile protobuf (the format of github.com/google/pprof's
 * profile.proto), encoded by hand — the handful of messages and field numbers below
 * are all it takes — and gzipped with zlib.
 *
 * Sample types: samples/count and cpu/nanoseconds for on-CPU stacks, offcpu/count and
 * offcpu/nanoseconds for off-CPU ones. A sample's locations run leaf first, as the
 * format requires; each frame is one location with one line, of one function, in one
 * mapping per module (with its build id where known).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/pb.h"
#include "render/render.h"
#include "model/snapshot.h"
#include "lib/util.h"

/* Profile */
#define PF_SAMPLE_TYPE 1
#define PF_SAMPLE 2
#define PF_MAPPING 3
#define PF_LOCATION 4
#define PF_FUNCTION 5
#define PF_STRING_TABLE 6
#define PF_TIME_NANOS 9
#define PF_DURATION_NANOS 10
#define PF_PERIOD_TYPE 11
#define PF_PERIOD 12
#define PF_DEFAULT_SAMPLE_TYPE 14
/* ValueType */
#define VT_TYPE 1
#define VT_UNIT 2
/* Sample */
#define S_LOCATION_ID 1
#define S_VALUE 2
#define S_LABEL 3
/* Label */
#define L_KEY 1
#define L_STR 2
#define L_NUM 3
/* Mapping */
#define M_ID 1
#define M_FILENAME 5
#define M_BUILD_ID 6
#define M_HAS_FUNCTIONS 7
/* Location */
#define LOC_ID 1
#define LOC_MAPPING_ID 2
#define LOC_ADDRESS 3
#define LOC_LINE 4
/* Line */
#define LN_FUNCTION_ID 1
/* Function */
#define F_ID 1
#define F_NAME 2
#define F_SYSTEM_NAME 3
#define F_FILENAME 4

static void value_type(struct pb *p, int field, struct stack_set *set, const char *type,
		       const char *unit)
{
	struct pb m = {0};

	pb_uint(&m, VT_TYPE, stacks_intern(set, type));
	pb_uint(&m, VT_UNIT, stacks_intern(set, unit));
	pb_msg(p, field, &m);
	free(m.b);
}

static void label_str(struct pb *p, struct stack_set *set, const char *key, const char *val)
{
	struct pb m = {0};

	pb_uint(&m, L_KEY, stacks_intern(set, key));
	pb_uint(&m, L_STR, stacks_intern(set, val));
	pb_msg(p, S_LABEL, &m);
	free(m.b);
}

static void label_num(struct pb *p, struct stack_set *set, const char *key, uint64_t val)
{
	struct pb m = {0};

	pb_uint(&m, L_KEY, stacks_intern(set, key));
	pb_uint(&m, L_NUM, val);
	pb_msg(p, S_LABEL, &m);
	free(m.b);
}

/* @len bytes of @buf, gzipped, into @f (any stream: deflate in memory, chunk by chunk). */
static int gzip_write(FILE *f, const void *buf, size_t len)
{
	unsigned char out[64 * 1024];
	z_stream z = {0};
	int ret;

	/* windowBits 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)buf;
	z.avail_in = (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		ret = deflate(&z, Z_FINISH);
		if (ret == Z_STREAM_ERROR ||
		    fwrite(out, 1, sizeof(out) - z.avail_out, f) != sizeof(out) - z.avail_out) {
			deflateEnd(&z);
			return -1;
		}
	} while (ret != Z_STREAM_END);
	deflateEnd(&z);
	return 0;
}

int render_pprof(FILE *f, const struct stack_set *cset, uint64_t start_unix_ns,
		 uint64_t duration_ns)
{
	/* interning more strings (sample types, labels) extends the set's string table */
	struct stack_set *set = (struct stack_set *)cset;
	struct pb p = {0}, m = {0};
	uint32_t *map_of_module = NULL, n_maps = 0;
	uint64_t *ids = NULL;
	size_t ids_cap = 0;
	int err;

	value_type(&p, PF_SAMPLE_TYPE, set, "samples", "count");
	value_type(&p, PF_SAMPLE_TYPE, set, "cpu", "nanoseconds");
	value_type(&p, PF_SAMPLE_TYPE, set, "offcpu", "count");
	value_type(&p, PF_SAMPLE_TYPE, set, "offcpu", "nanoseconds");

	for (size_t i = 0; i < set->n; i++) {
		const struct stack *st = &set->stacks[i];
		uint64_t v[4] = {0};

		if (st->kind == STACK_RELEASE)
			continue; /* not time of its own: the lock finding names them */
		if (st->n_frames > ids_cap) {
			ids_cap = st->n_frames;
			ids = xrealloc(ids, ids_cap * sizeof(*ids));
		}
		for (uint32_t k = 0; k < st->n_frames; k++)
			ids[k] = st->frames[st->n_frames - 1 - k] + 1; /* leaf first; ids from 1 */
		if (st->kind == STACK_ONCPU) {
			v[0] = st->count;
			v[1] = st->ns;
		} else {
			v[2] = st->count;
			v[3] = st->ns;
		}
		pb_packed(&m, S_LOCATION_ID, ids, st->n_frames);
		pb_packed(&m, S_VALUE, v, 4);
		label_str(&m, set, "comm", st->comm);
		label_num(&m, set, "pid", st->pid);
		if (st->kind == STACK_OFFCPU)
			label_str(&m, set, "wait", wait_class_name(st->wclass));
		pb_msg(&p, PF_SAMPLE, &m);
	}
	free(ids);

	/* one mapping per module string */
	map_of_module = xcalloc(set->n_strs ? set->n_strs : 1, sizeof(*map_of_module));
	for (size_t i = 0; i < set->n_frames; i++) {
		const struct frame *fr = &set->frames[i];

		if (map_of_module[fr->module])
			continue;
		map_of_module[fr->module] = ++n_maps;
		pb_uint(&m, M_ID, n_maps);
		pb_uint(&m, M_FILENAME, fr->module);
		pb_uint(&m, M_BUILD_ID, fr->build_id);
		pb_uint(&m, M_HAS_FUNCTIONS, 1);
		pb_msg(&p, PF_MAPPING, &m);
	}
	for (size_t i = 0; i < set->n_frames; i++) {
		const struct frame *fr = &set->frames[i];
		struct pb line = {0};

		pb_uint(&line, LN_FUNCTION_ID, i + 1);
		pb_uint(&m, LOC_ID, i + 1);
		pb_uint(&m, LOC_MAPPING_ID, map_of_module[fr->module]);
		pb_uint(&m, LOC_ADDRESS, fr->offset);
		pb_msg(&m, LOC_LINE, &line);
		free(line.b);
		pb_msg(&p, PF_LOCATION, &m);

		pb_uint(&m, F_ID, i + 1);
		pb_uint(&m, F_NAME, fr->name);
		pb_uint(&m, F_SYSTEM_NAME, fr->name);
		pb_uint(&m, F_FILENAME, fr->module);
		pb_msg(&p, PF_FUNCTION, &m);
	}
	free(map_of_module);

	pb_uint(&p, PF_TIME_NANOS, start_unix_ns);
	pb_uint(&p, PF_DURATION_NANOS, duration_ns);
	value_type(&p, PF_PERIOD_TYPE, set, "cpu", "nanoseconds");
	pb_uint(&p, PF_PERIOD, set->period_ns);
	pb_uint(&p, PF_DEFAULT_SAMPLE_TYPE, stacks_intern(set, "cpu"));
	/* the string table goes last: everything above interned what it needed */
	for (size_t i = 0; i < set->n_strs; i++)
		pb_bytes(&p, PF_STRING_TABLE, set->strs[i], strlen(set->strs[i]));
	free(m.b);

	err = gzip_write(f, p.b, p.len);
	free(p.b);
	return err;
}
