// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG flame graph: well-formed, every name escaped.
 */
#include <stdlib.h>

#include "render/render.h"
#include "stacks_fixture.h"
#include "test.h"

static int svg(FILE *f, const struct stack_set *s)
{
	return render_flamegraph(f, s, "test <&> title");
}

TEST(test_flamegraph__escaped_and_balanced)
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
