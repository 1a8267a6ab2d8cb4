// SPDX-License-Identifier: GPL-2.0
/*
 * CPython's line tables, against CPython itself: the table and every instruction's
 * line below are what Debian's python3.11 gives for this function (co_linetable,
 * co_firstlineno, and co_positions(), one per 2-byte code unit):
 *
 *   def f(n):                        # line 2 (a line 1 is empty)
 *       s = 0
 *       for i in range(n):
 *           if i % 3:
 *               s += i
 *                                    # two empty lines
 *
 *           else:
 *               s -= 1
 *       try:
 *           x = 1 / n
 *       except ZeroDivisionError:
 *           x = None
 *       return s, x
 *
 * It has entries of every form: short, one-line, no-column, long (a line delta of
 * more than 2, and backwards), and none. Then the code objects' table userspace keeps,
 * and a frame's two entries as the walker writes them.
 */
#include <stdint.h>

#include "kernel/pycode.h"
#include "lib/util.h"
#include "symbols/python.h"
#include "test.h"

static const uint8_t table[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x80, 0x41, 0xdd, 0x0d, 0x12, 0x90, 0x31, 0x89, 0x58,
	0x8c, 0x58, 0xf0, 0x00, 0x06, 0x05, 0x13, 0xf0, 0x00, 0x06, 0x05, 0x13, 0x88, 0x01,
	0xd8, 0x0b, 0x0c, 0x88, 0x71, 0x89, 0x35, 0xf0, 0x00, 0x05, 0x09, 0x13, 0xd8, 0x0c,
	0x0d, 0x90, 0x11, 0x89, 0x46, 0x88, 0x41, 0x88, 0x41, 0xf0, 0x08, 0x00, 0x0d, 0x0e,
	0x90, 0x11, 0x89, 0x46, 0x88, 0x41, 0x88, 0x41, 0xf0, 0x02, 0x03, 0x05, 0x11, 0xd8,
	0x0c, 0x0d, 0x90, 0x01, 0x89, 0x45, 0x88, 0x01, 0x88, 0x01, 0xf8, 0xdd, 0x0b, 0x1c,
	0xf0, 0x00, 0x01, 0x05, 0x11, 0xf0, 0x00, 0x01, 0x05, 0x11, 0xf0, 0x00, 0x01, 0x05,
	0x11, 0xd8, 0x0c, 0x10, 0x88, 0x01, 0x88, 0x01, 0x88, 0x01, 0xf0, 0x03, 0x01, 0x05,
	0x11, 0xf8, 0xf8, 0xf8, 0xe0, 0x0b, 0x0c, 0x88, 0x61, 0x88, 0x34, 0x80, 0x4b,
};

static const int lines[] = {
	2,  3,	3,  4,	4,  4,	4,  4,	4,  4,	4,  4,	4,  4,	4,  4,	4,  4,	4,  4,	5,  5,
	5,  5,	5,  6,	6,  6,	6,  6,	6,  10, 10, 10, 10, 10, 10, 11, 12, 12, 12, 12, 12, 12,
	-1, 13, 13, 13, 13, 13, 13, 13, 13, 13, 14, 14, 14, 14, 13, -1, -1, -1, 15, 15, 15, 15,
};

TEST(test_python__every_instruction_on_its_line)
{
	for (uint32_t i = 0; i < ARRAY_SIZE(lines); i++)
		CHECK_I64(py_line(table, sizeof(table), 2, i), lines[i]);
	/* past the code's end: no line */
	CHECK_I64(py_line(table, sizeof(table), 2, ARRAY_SIZE(lines)), -1);
}

TEST(test_python__a_cut_table_names_what_it_holds)
{
	/* the walker keeps a table's first bytes: lines before the cut are right */
	CHECK_I64(py_line(table, 16, 2, 16), 4);
	/* and beyond the bytes kept: none, never a guess */
	CHECK_I64(py_line(table, 16, 2, 17), -1);
	/* cut inside an entry (bytes 28-30, instruction 20, line 5): none */
	CHECK_I64(py_line(table, 31, 2, 20), 5);
	CHECK_I64(py_line(table, 29, 2, 20), -1);
	CHECK_I64(py_line(table, 0, 2, 0), -1);
}

TEST(test_python__interpreter_file_names)
{
	CHECK(py_file_name("/usr/bin/python3.11"));
	CHECK(py_file_name("/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0"));
	CHECK(py_file_name("python3"));
	CHECK(py_file_name("/root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0"));
	CHECK(!py_file_name("/usr/bin/python3.13t"));
	CHECK(!py_file_name("/usr/lib/libpython3.13t.so.1.0"));
	CHECK(!py_file_name("/usr/bin/python2.7"));
	CHECK(!py_file_name("/usr/lib/libc.so.6"));
	CHECK(!py_file_name("/opt/mypython3/bin/node"));
}

TEST(test_python__code_objects_by_process_address_and_stamp)
{
	struct py_codes t = {0};
	struct py_code v = {0};

	/* two processes, an address reused by another code object (another stamp) */
	for (uint32_t i = 0; i < 3000; i++) {
		struct py_code_key k = {.code = 0x7f0000001000ULL + 16 * (i % 1000),
					.tgid = 100 + i / 1000 % 2,
					.stamp = i / 2000};

		v.firstlineno = (int32_t)i;
		py_codes__put(&t, &k, &v);
	}
	CHECK_U64(t.n, 3000);
	for (uint32_t i = 0; i < 3000; i++) {
		struct py_code_key k = {.code = 0x7f0000001000ULL + 16 * (i % 1000),
					.tgid = 100 + i / 1000 % 2,
					.stamp = i / 2000};
		const struct py_code *c = py_codes__get(&t, &k);

		CHECK(c != NULL);
		CHECK_I64(c ? c->firstlineno : -1, (int64_t)i);
	}
	/* a key put again keeps its first value; one never put is not there */
	v.firstlineno = -5;
	py_codes__put(&t, &(struct py_code_key){.code = 0x7f0000001000ULL, .tgid = 100}, &v);
	CHECK_U64(t.n, 3000);
	CHECK(!py_codes__has(&t, &(struct py_code_key){.code = 0x7f0000001000ULL, .tgid = 102}));
	CHECK(!py_codes__has(&t, &(struct py_code_key){.code = 0x7f0000001008ULL, .tgid = 100}));
	py_codes__release(&t);
}

TEST(test_python__a_frame_names_its_code_object)
{
	/* as bpf/unwind.h writes a Python frame's two entries */
	uint64_t at = FRAME_PY_AT | (uint64_t)4194303 << FRAME_PY_TGID_SHIFT |
		      (uint64_t)0xa5 << FRAME_PY_STAMP_SHIFT |
		      (uint64_t)1234 << FRAME_PY_IDX_SHIFT | FRAME_PY_ENTRY;
	struct py_code_key k = py_code_key_of(at, FRAME_PY_CODE | 0x7ffff7e1c030ULL);

	CHECK((at & FRAME_PY_MASK) == FRAME_PY_AT);
	CHECK_U64(k.tgid, 4194303);
	CHECK_U64(k.stamp, 0xa5);
	CHECK_U64(k.code, 0x7ffff7e1c030ULL);
	CHECK_U64((at >> FRAME_PY_IDX_SHIFT) & FRAME_PY_IDX_MAX, 1234);
	/* the versions with a layout, and not others */
	CHECK_U64(py_layout_index(0x030b02f0), 1);
	CHECK_U64(py_layout_index(0x030c01f0), 2);
	CHECK_U64(py_layout_index(0x030d00f0), 3);
	CHECK_U64(py_layout_index(0x030e00f0), 0);
	CHECK(py_layout_at(1) && py_layout_at(2) && py_layout_at(3) && !py_layout_at(0));
	CHECK(!py_layout_at(PY_LAYOUTS));
}
