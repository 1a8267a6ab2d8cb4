// SPDX-License-Identifier: GPL-2.0
/*
 * The strict JSON reader: values and paths, the errors it names, and what it rejects.
 */
#include <math.h>
#include <stdlib.h>

#include "json_check.h"
#include "lib/json_reader.h"
#include "test.h"
#include "lib/util.h"

TEST(test_json_reader__values)
{
	struct jval *v =
		json_parse_test(" {\"a\": [1, -2.5, true, null, \"x\\u00e9\\n\\ud83d\\ude00\"],"
				" \"big\": 18446744073709551615, \"o\": {\"p\": {\"q\": 7}}} ");
	const struct jval *a;
	double d;

	CHECK(v && v->t == J_OBJ);
	a = json_get(v, "a");
	CHECK(a && a->t == J_ARR && a->n == 5);
	CHECK(json_number(a->items[1], &d) && d == -2.5);
	CHECK(a->items[2]->t == J_BOOL && a->items[2]->b);
	CHECK(a->items[3]->t == J_NULL);
	CHECK_STR(a->items[4]->str, "x\xc3\xa9\n\xf0\x9f\x98\x80");
	/* nanosecond counts keep every bit */
	CHECK(json_get(v, "big")->is_uint);
	CHECK_U64(json_get(v, "big")->u, UINT64_MAX);
	CHECK(json_number(json_path(v, "o.p.q"), &d) && d == 7);
	CHECK(json_path(v, "o.p.r") == NULL);
	CHECK(json_path(v, "a.b") == NULL);
	json_free(v);

	/* runs of ASCII, escapes and raw UTF-8 mixed; a large array (the arena grows) */
	v = json_parse_test("[\"ab\\\"cd\\\\ef \xc3\xa9 gh\\u0041\", \"\"]");
	CHECK(v && v->n == 2);
	CHECK_STR(v->items[0]->str, "ab\"cd\\ef \xc3\xa9 ghA");
	CHECK_STR(v->items[1]->str, "");
	json_free(v);
	{
		size_t n = 200000, len = 0;
		char *big = xmalloc(n * 12 + 16);
		char err[64];

		big[len++] = '[';
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(big + len, "%s%zu", i ? "," : "", i * 1000);
		big[len++] = ']';
		v = json_parse(big, len, err, sizeof(err));
		CHECK(v && v->n == n);
		CHECK(v && v->items[n - 1]->u == (n - 1) * 1000);
		json_free(v);
		free(big);
	}
}

TEST(test_json_reader__errors)
{
	static const char *const bad[] = {
		"",    "{",	     "{\"a\" 1}", "[1,]x",    "[1 2]",	      "\"abc", "\"\\q\"",
		"tru", "{\"a\":1}}", "\"a\x01\"", "[-]",      "{1:2}",	      "[01]",  "+1",
		"1.",  ".5",	     "1e",	  "\"\xff\"", "\"\xc0\xaf\"",
	};
	char err[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct jval *v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));

		if (v)
			test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
		CHECK(err[0]);
		json_free(v);
	}
	/* too deep is an error, not a stack overflow */
	{
		char deep[400];

		memset(deep, '[', sizeof(deep));
		CHECK(json_parse(deep, sizeof(deep), err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, "deep");
	}
}

TEST(test_json_reader__rejects_bad_json)
{
	CHECK(json_valid("{\"a\":[1,2,{\"b\":null}]}", 22));
	CHECK(!json_valid("{\"a\":1,}", 8));
	CHECK(!json_valid("{\"a\":\"\x01\"}", 9));
	CHECK(!json_valid("[01]", 4));
	CHECK(!json_valid("{} {}", 5));
}
