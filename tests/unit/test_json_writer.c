// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: every control byte escaped, valid UTF-8 kept, invalid bytes
 * replaced, structure and separators right.
 */
#include <math.h>
#include <stdlib.h>

#include "lib/json_writer.h"
#include "test.h"

static char *render_string(const char *s, size_t n)
{
	struct capture c;
	struct json_writer w;
	char *out;

	jw_init(&w, capture_begin(&c));
	jw_string_n(&w, s, n);
	out = strdup(capture_end(&c));
	capture_free(&c);
	return out;
}

#define CHECK_ESCAPE(in, expected)                                                                 \
	do {                                                                                       \
		char *got_ = render_string(in, sizeof(in) - 1);                                    \
		CHECK_STR(got_, expected);                                                         \
		free(got_);                                                                        \
	} while (0)

TEST(test_json_writer__plain_and_quotes)
{
	CHECK_ESCAPE("make -j4", "\"make -j4\"");
	CHECK_ESCAPE("a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK_ESCAPE("", "\"\"");
}

TEST(test_json_writer__control_bytes)
{
	CHECK_ESCAPE("a\nb\tc\r", "\"a\\u000ab\\u0009c\\u000d\"");
	CHECK_ESCAPE("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	CHECK_ESCAPE("nul\0byte", "\"nul\\u0000byte\"");
	CHECK_ESCAPE("\x1b[31mred", "\"\\u001b[31mred\"");
}

TEST(test_json_writer__valid_utf8_passes)
{
	CHECK_ESCAPE("caf\xc3\xa9", "\"caf\xc3\xa9\"");		  /* é */
	CHECK_ESCAPE("\xe2\x82\xac", "\"\xe2\x82\xac\"");	  /* € */
	CHECK_ESCAPE("\xf0\x9f\x94\xa5", "\"\xf0\x9f\x94\xa5\""); /* U+1F525 */
}

TEST(test_json_writer__invalid_utf8_replaced)
{
	CHECK_ESCAPE("\xff", "\"\\ufffd\"");
	CHECK_ESCAPE("a\x80z", "\"a\\ufffdz\"");		   /* lone continuation */
	CHECK_ESCAPE("\xc0\x80", "\"\\ufffd\\ufffd\"");		   /* overlong NUL */
	CHECK_ESCAPE("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* UTF-16 surrogate */
	CHECK_ESCAPE("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	CHECK_ESCAPE("\xe2\x82", "\"\\ufffd\\ufffd\"");			      /* truncated */
	CHECK_ESCAPE("\xc3(", "\"\\ufffd(\"");
}

TEST(test_json_writer__structure)
{
	struct capture c;
	struct json_writer w;

	jw_init(&w, capture_begin(&c));
	jw_object_begin(&w);
	jw_kv_str(&w, "type", "report");
	jw_kv_u64(&w, "n", 18446744073709551615ULL);
	jw_kv_i64(&w, "neg", -3);
	jw_key(&w, "list");
	jw_array_begin(&w);
	jw_u64(&w, 1);
	jw_object_begin(&w);
	jw_kv_bool(&w, "t", true);
	jw_kv_str(&w, "nil", NULL);
	jw_object_end(&w);
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_array_end(&w);
	jw_kv_double(&w, "nan", NAN);
	jw_kv_double(&w, "half", 0.5);
	jw_object_end(&w);
	jw_end_record(&w);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_end_record(&w);
	CHECK_STR(capture_end(&c), "{\"type\":\"report\",\"n\":18446744073709551615,\"neg\":-3,"
				   "\"list\":[1,{\"t\":true,\"nil\":null},[]],\"nan\":null,"
				   "\"half\":0.5}\n{}\n");
	capture_free(&c);
}

TEST(test_json_writer__utf8_valid_len)
{
	CHECK_U64(utf8_valid_len((const unsigned char *)"A", 1), 1);
	CHECK_U64(utf8_valid_len((const unsigned char *)"\xc3\xa9", 2), 2);
	CHECK_U64(utf8_valid_len((const unsigned char *)"\xc3\xa9", 1), 0);
	CHECK_U64(utf8_valid_len((const unsigned char *)"\xe0\x80\x80", 3), 0);
	CHECK_U64(utf8_valid_len((const unsigned char *)"\xf0\x8f\xbf\xbf", 4), 0);
}
