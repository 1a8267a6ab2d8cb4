/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --html FILE: the final report as one self-contained page, for a person opening a CI
 * artifact. It holds the report's JSON record, its text rendering and the flame graph
 * (as they are written elsewhere: one data model, three renderers), and a script of
 * its own that draws from the JSON: the findings first, the breakdown as a bar, the
 * timeline of the processes (zoom: click or wheel; hover: details; the critical path
 * highlighted), then the text report's tables and the flame graph. Nothing is fetched.
 */
#ifndef PROCSCOPE_HTML_H
#define PROCSCOPE_HTML_H

#include <stddef.h>
#include <stdio.h>

struct html_parts {
	const char *title;
	const char *json; /* the final report's JSON record */
	const char *text; /* the text report */
	const char *svg;  /* the flame graph, NULL without stacks */
	size_t svg_len;
};

/* 0, or -1 if a write failed. */
int render_html(FILE *f, const struct html_parts *p);

#endif
