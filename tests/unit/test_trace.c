// SPDX-License-Identifier: GPL-2.0
/*
 * The protobuf encoder, the trace log's and the renderer's bounds and thread tracks, and the HTML
 * page's escaping (the decoding of whole traces and pages is in the integration tests).
 */
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "lib/pb.h"
#include "report_fixture.h"
#include "test.h"
#include "render/trace.h"
#include "app/trace_log.h"

TEST(test_pb__wire_format)
{
	struct pb p = {0};

	pb_uint(&p, 1, 300); /* key 0x08, varint 300 = ac 02 */
	pb_uint(&p, 2, 0);   /* left out */
	pb_uint_always(&p, 3, 0);
	pb_fixed64(&p, 47, 0x0102030405060708ULL);
	pb_str(&p, 23, "ab");
	CHECK_U64(p.len, 3 + 2 + 10 + 5);
	CHECK(!memcmp(p.b, "\x08\xac\x02\x18\x00", 5));
	CHECK(!memcmp(p.b + 5, "\xf9\x02\x08\x07\x06\x05\x04\x03\x02\x01", 10));
	CHECK(!memcmp(p.b + 15,
		      "\xba\x01\x02"
		      "ab",
		      5));
	pb_free(&p);
}

static struct tl_event slice(uint32_t tid, uint32_t pid, uint64_t from, uint64_t to)
{
	return (struct tl_event){.kind = TL_SLICE,
				 .tid = tid,
				 .pid = pid,
				 .tstate = TS_ONCPU,
				 .start_ns = from,
				 .end_ns = to};
}

/* The trace of @t's timeline for the report fixture, into memory (*@len bytes). */
static char *render(struct trace_log *t, struct trace_stats *st, size_t *len)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	struct timeline tl;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	fixture(&d, &s);
	analysis_compute(&a, &s, "`./evil`");
	CHECK_I64(trace_log__timeline(t, 3, &tl), 0);
	CHECK_I64(trace_render(f, &tl, &s, &a, "./evil", st), 0);
	fclose(f);
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
	return buf;
}

/* The log keeps what fits, the renderer encodes up to the bound, and both count the rest. */
TEST(test_trace__bounded_and_counted)
{
	struct trace_log *t = trace_log__new(4096, 1000);
	struct trace_stats st;
	struct timeline tl;
	size_t len;

	for (uint64_t i = 0; i < 1000; i++) {
		struct tl_event e = slice(7, 7, 1000 + i * 100, 1000 + i * 100 + 50);

		trace_log__event(t, &e);
	}
	CHECK_I64(trace_log__timeline(t, 0, &tl), 0);
	CHECK(tl.n_events > 0 && tl.not_kept > 0);
	CHECK_U64(tl.n_events + tl.not_kept, 1000);
	/* the CPU counter is whole: 1000 x 50 ns in the first bucket */
	CHECK_U64(tl.cpu_ns[0], 50000);
	free(render(t, &st, &len));
	CHECK_U64(st.slices + st.over_max, 1000);
	CHECK(st.event_bytes <= 4096 + 64); /* the bound, give or take the last slice */
	CHECK_U64(st.lost, 3);
	trace_log__free(t);
}

TEST(test_trace__a_reused_tid_is_a_new_thread)
{
	struct trace_log *t = trace_log__new(1 << 20, 0);
	struct tl_event a = slice(10, 10, 1, 2), b = slice(10, 20, 3, 4);
	struct timeline tl;

	trace_log__event(t, &a);
	trace_log__event(t, &b);
	trace_log__event(t, &b);
	for (uint32_t tid = 100; tid < 3000; tid++) { /* the index grows */
		struct tl_event e = slice(tid, tid, 5, 6);

		trace_log__event(t, &e);
	}
	trace_log__event(t, &a);
	CHECK_I64(trace_log__timeline(t, 0, &tl), 0);
	CHECK_U64(tl.n_threads, 2 + 2900 + 1);
	trace_log__free(t);
}

TEST(test_trace__writes_whole_file)
{
	struct trace_log *t = trace_log__new(1 << 20, FX_ATTACH_NS);
	struct tl_event e = slice(4242, 4242, FX_ATTACH_NS, FX_ATTACH_NS + 250 * NSEC_PER_MSEC);
	struct trace_stats st;
	size_t len = 0;
	char *buf;

	trace_log__event(t, &e);
	buf = render(t, &st, &len);
	/* a Trace: packets (field 1, length-delimited) end to end, nothing else */
	for (size_t off = 0; off < len;) {
		const unsigned char *p = (const unsigned char *)buf + off;
		uint64_t n = 0;
		int shift = 0;

		CHECK_U64(p[0], 0x0a);
		for (p++, off++; *p & 0x80; p++, off++, shift += 7)
			n |= (uint64_t)(*p & 0x7f) << shift;
		n |= (uint64_t)*p << shift;
		off += 1 + n;
		CHECK(off <= len);
	}
	CHECK(memmem(buf, len, "waiting for a CPU", 17) != NULL);
	CHECK(memmem(buf, len, "critical path", 13) != NULL);
	CHECK_U64(st.slices, 1);
	trace_log__free(t);
	free(buf);
}

TEST(test_html__escaped)
{
	struct html_parts p = {.title = "<b>&\"",
			       .json = "{\"cmdline\":\"echo </script><script>x\"}",
			       .text = "a < b",
			       .svg = "abcd",
			       .svg_len = 4};
	char *buf = NULL, *at;
	size_t len = 0, scripts = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_I64(render_html(f, &p), 0);
	fclose(f);
	CHECK_CONTAINS(buf, "<title>procscope: &lt;b&gt;&amp;&quot;</title>");
	CHECK_CONTAINS(buf, "echo <\\/script><script>x");
	CHECK_CONTAINS(buf, "a &lt; b");
	CHECK_CONTAINS(buf, "base64,YWJjZA==\"");
	for (at = buf; (at = strstr(at, "</script>")); at++)
		scripts++;
	CHECK_U64(scripts, 2); /* the JSON's and the app's: none inside the JSON */
	free(buf);
}
