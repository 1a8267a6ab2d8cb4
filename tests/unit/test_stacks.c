// SPDX-License-Identifier: GPL-2.0
/*
 * Stacks and their renderers: folded lines (merged, escaped, microseconds off-CPU),
 * the SVG (escaped, balanced), pprof (gzip, protobuf that decodes to the same
 * totals), and symbolization against this very binary.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "elfsyms.h"
#include "render.h"
#include "stacks.h"
#include "symbolize.h"
#include "test.h"
#include "util.h"

static uint32_t frame(struct stack_set *set, const char *name, const char *module, bool kernel)
{
	set->frames = realloc(set->frames, sizeof(*set->frames) * (set->n_frames + 1));
	set->frames[set->n_frames] = (struct frame){
		.name = stacks_intern(set, name),
		.module = stacks_intern(set, module),
		.build_id = stacks_intern(set, ""),
		.kernel = kernel,
		.resolved = true,
	};
	return (uint32_t)set->n_frames++;
}

static void add_stack(struct stack_set *set, const char *comm, uint8_t kind, uint64_t count,
		      uint64_t ns, const uint32_t *frames, uint32_t n)
{
	struct stack *st;

	set->stacks = realloc(set->stacks, sizeof(*set->stacks) * (set->n + 1));
	st = &set->stacks[set->n++];
	memset(st, 0, sizeof(*st));
	snprintf(st->comm, sizeof(st->comm), "%s", comm);
	st->pid = 42;
	st->kind = kind;
	st->count = count;
	st->ns = ns;
	st->frames = malloc(sizeof(*st->frames) * n);
	memcpy(st->frames, frames, sizeof(*st->frames) * n);
	st->n_frames = n;
	if (kind == STACK_ONCPU)
		set->oncpu_samples += count;
	else
		set->offcpu_ns += ns;
}

static void fixture(struct stack_set *set)
{
	uint32_t main_, outer, hot, sched, tmpl, odd;

	memset(set, 0, sizeof(*set));
	set->freq_hz = 100;
	set->period_ns = 10000000;
	stacks_intern(set, "");
	main_ = frame(set, "main", "app", false);
	outer = frame(set, "outer", "app", false);
	hot = frame(set, "hot", "app", false);
	sched = frame(set, "schedule", "[kernel]", true);
	tmpl = frame(set, "std::vector<int>::push_back(int&&)", "app", false);
	odd = frame(set, "a;b\nc", "app", false);
	add_stack(set, "app", STACK_ONCPU, 30, 300000000, (uint32_t[]){main_, outer, hot}, 3);
	/* a second stack that symbolized the same: merged in folded output */
	add_stack(set, "app", STACK_ONCPU, 10, 100000000, (uint32_t[]){main_, outer, hot}, 3);
	add_stack(set, "app", STACK_ONCPU, 5, 50000000, (uint32_t[]){main_, tmpl}, 2);
	add_stack(set, "a<b>&", STACK_ONCPU, 1, 10000000, (uint32_t[]){odd}, 1);
	add_stack(set, "app", STACK_OFFCPU, 3, 250000000, (uint32_t[]){main_, outer, sched}, 3);
}

static char *capture(int (*fn)(FILE *, const struct stack_set *), const struct stack_set *set)
{
	struct capture c;
	char *out;

	fn(capture_begin(&c), set);
	out = strdup(capture_end(&c));
	capture_free(&c);
	return out;
}

static int folded_on(FILE *f, const struct stack_set *s)
{
	return render_folded(f, s, STACK_ONCPU);
}

static int folded_off(FILE *f, const struct stack_set *s)
{
	return render_folded(f, s, STACK_OFFCPU);
}

static int svg(FILE *f, const struct stack_set *s)
{
	return render_flamegraph(f, s, "test <&> title");
}

TEST(test_stacks__folded_merges_and_escapes)
{
	struct stack_set set;
	char *on, *off;

	fixture(&set);
	on = capture(folded_on, &set);
	off = capture(folded_off, &set);
	CHECK_CONTAINS(on, "app;main;outer;hot 40\n"); /* 30 + 10 merged */
	CHECK_CONTAINS(on, "app;main;std::vector<int>::push_back(int&&) 5\n");
	CHECK_CONTAINS(on, "a<b>&;a:b?c 1\n"); /* ';' and newline cannot stay */
	CHECK(strstr(on, "schedule") == NULL);
	CHECK_STR(off, "app;main;outer;schedule_[k] 250000\n"); /* microseconds */
	free(on);
	free(off);
	stacks_release(&set);
}

TEST(test_stacks__svg_escaped_and_balanced)
{
	struct stack_set set;
	char *out;
	size_t open = 0, close = 0;

	fixture(&set);
	out = capture(svg, &set);
	CHECK(!strncmp(out, "<?xml", 5));
	CHECK_CONTAINS(out, "</svg>\n");
	CHECK_CONTAINS(out, "std::vector&lt;int&gt;::push_back(int&amp;&amp;)");
	CHECK_CONTAINS(out, "a&lt;b&gt;&amp;");
	CHECK_CONTAINS(out, "test &lt;&amp;&gt; title");
	CHECK_CONTAINS(out, "on-CPU in warm colours, off-CPU in blue");
	CHECK_CONTAINS(out, "<title>hot (400ms");
	CHECK(strstr(out, "a<b>") == NULL);
	for (const char *p = out; (p = strstr(p, "<g")); p++)
		open++;
	for (const char *p = out; (p = strstr(p, "</g>")); p++)
		close++;
	CHECK_U64(open, close);
	free(out);
	stacks_release(&set);
}

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
	v |= (uint64_t)**p << shift;
	(*p)++;
	return v;
}

TEST(test_stacks__pprof_decodes)
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
	CHECK_U64(samples, 46); /* on-CPU samples: 30 + 10 + 5 + 1; off-CPU adds 0 */
	CHECK_U64(first_string_len, 0); /* string_table[0] is "" */
	CHECK(strings > 10);
	stacks_release(&set);
}

__attribute__((noinline)) int procscope_unit_known_function(int x)
{
	return x * 3 + 1;
}

TEST(test_stacks__elf_symbols_of_this_binary)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	unsigned char id[BUILD_ID_MAX];
	struct elf_syms e;
	int len = 0;

	CHECK_I64(elf_build_id_fd(fd, id, &len), 0);
	CHECK_I64(len, 20);
	CHECK_I64(elf_syms__load_fd(&e, fd), 0);
	CHECK(e.n_syms > 10);
	CHECK(e.from_symtab);
	CHECK(e.n_load >= 2);
	CHECK_U64(e.build_id_len, 20);
	close(fd);
	elf_syms__free(&e);
}

TEST(test_stacks__symbolize_own_process)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_frame f;

	CHECK_I64(symbolizer__capture(s, 7, (uint32_t)getpid()), 0);
	symbolizer__user_ip(s, 7, (uint64_t)(uintptr_t)procscope_unit_known_function + 4, &f);
	CHECK(f.resolved);
	CHECK_STR(f.name, "procscope_unit_known_function");
	CHECK_STR(f.module, "unit_tests");
	/* an address in no mapping: named by module and offset, not dropped */
	symbolizer__user_ip(s, 7, 0x10, &f);
	CHECK(!f.resolved);
	CHECK_CONTAINS(f.name, "+0x10");
	/* a slot never captured */
	symbolizer__user_ip(s, 8, (uint64_t)(uintptr_t)procscope_unit_known_function, &f);
	CHECK(!f.resolved);
	symbolizer__kernel(s, 0, &f);
	CHECK(!f.resolved);
	symbolizer__free(s);
	CHECK_I64(procscope_unit_known_function(1), 4);
}
