// SPDX-License-Identifier: GPL-2.0
/* --html: see html.h. The page's script and style are src/html/app.js and style.css. */
#include <stdint.h>
#include <string.h>

#include "render/html.h"
#include "html_assets.h" /* generated from src/html/ by the Makefile */
#include "lib/util.h"

/* JSON inside a <script> element: "</" would end it early, so it is written "<\/". */
static void put_script_json(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (s[0] == '<' && s[1] == '/')
			fputs("<\\", f);
		else
			fputc(*s, f);
	}
}

static void put_base64(FILE *f, const unsigned char *b, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)b[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)b[i + 1] << 8;
		if (i + 2 < n)
			v |= b[i + 2];
		fputc(a[v >> 18 & 63], f);
		fputc(a[v >> 12 & 63], f);
		fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? a[v & 63] : '=', f);
	}
}

int render_html(FILE *f, const struct html_parts *p)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>procscope: ",
	      f);
	markup_text(f, p->title, SIZE_MAX, false);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", html_style_css);
	markup_text(f, p->title, SIZE_MAX, false);
	fputs("</h1>\n<div class=\"meta\" id=\"meta\"></div>\n"
	      "<h2>Findings</h2>\n<div id=\"findings\"></div>\n"
	      "<h2>Where the time went</h2>\n<div id=\"bar\"></div>\n<div class=\"legend\" "
	      "id=\"legend\"></div>\n<p class=\"meta\" id=\"bdmethod\"></p>\n"
	      "<h2>Timeline</h2>\n<div id=\"tlbar\"><button id=\"reset\">Reset zoom</button>"
	      "<span class=\"meta\">Click to zoom in, shift-click to zoom out, or use the wheel; "
	      "hover for details. Bars are coloured by each process's main state; a red outline "
	      "marks the critical path. <span id=\"tlnote\"></span></span></div>\n"
	      "<svg id=\"tl\" xmlns=\"http://www.w3.org/2000/svg\"></svg>\n",
	      f);
	if (p->svg) {
		fputs("<h2>Flame graph</h2>\n<iframe id=\"flame\" height=\"600\" title=\"flame "
		      "graph\" "
		      "src=\"data:image/svg+xml;base64,",
		      f);
		put_base64(f, (const unsigned char *)p->svg, p->svg_len);
		fputs("\"></iframe>\n", f);
	}
	fputs("<h2>Report</h2>\n<pre id=\"text\">", f);
	markup_text(f, p->text, SIZE_MAX, true);
	fputs("</pre>\n<div id=\"tip\"></div>\n<script type=\"application/json\" id=\"report\">",
	      f);
	put_script_json(f, p->json);
	fprintf(f, "</script>\n<script>\n%s</script>\n</body>\n</html>\n", html_app_js);
	return ferror(f) ? -1 : 0;
}
