// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG flame graph, written by procscope itself: a tree of frames (root at the
 * bottom, children sorted by name, width proportional to time), each a <g> with a
 * <title> for hover, and a small script for details, click-to-zoom and search. All
 * names are XML-escaped: they come from symbol tables and process names.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "lib/util.h"

#define FG_WIDTH 1200
#define FG_PAD 10
#define FG_ROW 16
#define FG_TOP 40    /* title and buttons */
#define FG_BOTTOM 30 /* details line */
#define FG_MIN_PX 0.1
#define STR_(x) #x
#define STR(x) STR_(x)

enum node_type { N_ROOT, N_GROUP, N_COMM, N_USER, N_KERNEL };

struct node {
	const char *label;
	uint8_t type;
	uint8_t offcpu;
	uint64_t ns;
	uint64_t count;	      /* samples (on-CPU) or intervals (off-CPU) */
	uint32_t child, next; /* first child, next sibling: indexes, 0 = none */
};

struct tree {
	struct node *n;
	size_t len, cap;
	int depth;
};

static uint32_t node_new(struct tree *t, const char *label, uint8_t type, uint8_t offcpu)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->n = xrealloc(t->n, t->cap * sizeof(*t->n));
	}
	memset(&t->n[t->len], 0, sizeof(t->n[0]));
	t->n[t->len].label = label;
	t->n[t->len].type = type;
	t->n[t->len].offcpu = offcpu;
	return (uint32_t)t->len++;
}

static uint32_t child_of(struct tree *t, uint32_t parent, const char *label, uint8_t type,
			 uint8_t offcpu)
{
	uint32_t c;

	for (c = t->n[parent].child; c; c = t->n[c].next)
		if (t->n[c].type == type && !strcmp(t->n[c].label, label))
			return c;
	c = node_new(t, label, type, offcpu);
	t->n[c].next = t->n[parent].child;
	t->n[parent].child = c;
	return c;
}

static void tree_add(struct tree *t, const struct stack_set *set, const struct stack *st,
		     bool grouped)
{
	uint8_t off = st->kind == STACK_OFFCPU;
	uint32_t cur = 0;
	int depth = 0;

	t->n[0].ns += st->ns;
	t->n[0].count += st->count;
	if (grouped) {
		cur = child_of(t, cur, off ? "off-CPU" : "on-CPU", N_GROUP, off);
		t->n[cur].ns += st->ns;
		t->n[cur].count += st->count;
		depth++;
	}
	cur = child_of(t, cur, st->comm, N_COMM, off);
	t->n[cur].ns += st->ns;
	t->n[cur].count += st->count;
	depth++;
	for (uint32_t i = 0; i < st->n_frames; i++) {
		const struct frame *f = &set->frames[st->frames[i]];

		cur = child_of(t, cur, set->strs[f->name], f->kernel ? N_KERNEL : N_USER, off);
		t->n[cur].ns += st->ns;
		t->n[cur].count += st->count;
		depth++;
	}
	if (depth > t->depth)
		t->depth = depth;
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void color(char *buf, size_t len, const struct node *n)
{
	uint32_t h = hash_name(n->label);
	unsigned int a = h % 100, b = (h / 100) % 100;

	if (n->type == N_ROOT || n->type == N_GROUP || n->type == N_COMM)
		snprintf(buf, len, "rgb(%u,%u,%u)", 180 + a / 4, 180 + a / 4, 190 + a / 5);
	else if (n->offcpu)
		snprintf(buf, len, "rgb(%u,%u,%u)", 40 + a / 2, 110 + b, 200 + a / 2);
	else if (n->type == N_KERNEL)
		snprintf(buf, len, "rgb(%u,%u,%u)", 225 + a / 4, 130 + b / 2, 30 + a / 5);
	else
		snprintf(buf, len, "rgb(%u,%u,%u)", 205 + a / 2, 60 + b * 17 / 10, 40 + a / 3);
}

static int cmp_label(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;

	return strcmp(x->label, y->label);
}

struct draw {
	FILE *f;
	const struct tree *t;
	const struct stack_set *set;
	double px_per_ns;
	int height;
};

static void draw(struct draw *d, uint32_t idx, double x, int depth)
{
	const struct node *n = &d->t->n[idx];
	const struct node **kids;
	size_t nk = 0;
	double w = n->ns * d->px_per_ns, y = d->height - FG_BOTTOM - (depth + 1) * FG_ROW;
	char fill[32], dur[32];
	size_t chars;

	if (w < FG_MIN_PX)
		return;
	color(fill, sizeof(fill), n);
	fprintf(d->f,
		"<g class=\"f\" onmouseover=\"s(this)\" onmouseout=\"c()\" onclick=\"zoom(this)\">"
		"<title>");
	markup_text(d->f, n->label, 4096, false);
	fprintf(d->f, "%s (%s, %.2f%%", n->type == N_KERNEL ? " [kernel]" : "",
		fmt_dur(dur, sizeof(dur), n->ns), pct(n->ns, d->t->n[0].ns));
	if (n->type != N_ROOT && n->type != N_GROUP)
		fprintf(d->f, ", %llu %s", (unsigned long long)n->count,
			n->offcpu ? "blocks" : "samples");
	fprintf(d->f,
		")</title><rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.0f\">",
		x, y, w, FG_ROW - 1, fill, x + 3, y + FG_ROW - 4);
	chars = (size_t)(w / 7);
	if (chars >= 3) {
		size_t len = strlen(n->label);

		if (len <= chars) {
			markup_text(d->f, n->label, len, false);
		} else {
			markup_text(d->f, n->label, chars - 2, false);
			fputs("..", d->f);
		}
	}
	fprintf(d->f, "</text></g>\n");

	for (uint32_t c = n->child; c; c = d->t->n[c].next)
		nk++;
	kids = xmalloc((nk ? nk : 1) * sizeof(*kids));
	nk = 0;
	for (uint32_t c = n->child; c; c = d->t->n[c].next)
		kids[nk++] = &d->t->n[c];
	qsort(kids, nk, sizeof(*kids), cmp_label);
	for (size_t i = 0; i < nk; i++) {
		draw(d, (uint32_t)(kids[i] - d->t->n), x, depth + 1);
		x += kids[i]->ns * d->px_per_ns;
	}
	free(kids);
}

static const char script[] =
	"var details, matched, frames, unzoombtn, W = " STR(FG_WIDTH) ", P = " STR(
		FG_PAD) ";\n"
			"function init(evt) {\n"
			"  details = document.getElementById('details').firstChild;\n"
			"  matched = document.getElementById('matched').firstChild;\n"
			"  unzoombtn = document.getElementById('unzoom');\n"
			"  frames = document.getElementById('frames').getElementsByTagName('g');\n"
			"  for (var i = 0; i < frames.length; i++) {\n"
			"    var r = frames[i].getElementsByTagName('rect')[0];\n"
			"    r.setAttribute('fx', r.getAttribute('x'));\n"
			"    r.setAttribute('fw', r.getAttribute('width'));\n"
			"    r.setAttribute('ofill', r.getAttribute('fill'));\n"
			"  }\n"
			"}\n"
			"function label(g) { return "
			"g.getElementsByTagName('title')[0].textContent; }\n"
			"function name(g) { var t = label(g); return t.substring(0, "
			"t.lastIndexOf(' (')); }\n"
			"function s(g) { details.nodeValue = label(g); }\n"
			"function c() { details.nodeValue = ' '; }\n"
			"function fit(g, x, w) {\n"
			"  var r = g.getElementsByTagName('rect')[0], t = "
			"g.getElementsByTagName('text')[0];\n"
			"  r.setAttribute('x', x); r.setAttribute('width', w);\n"
			"  t.setAttribute('x', x + 3);\n"
			"  var n = name(g).replace(/ \\[kernel\\]$/, ''), k = Math.floor(w / 7);\n"
			"  t.textContent = k < 3 ? '' : (n.length <= k ? n : n.substring(0, k - 2) "
			"+ '..');\n"
			"}\n"
			"function zoom(g) {\n"
			"  var r = g.getElementsByTagName('rect')[0];\n"
			"  var x = +r.getAttribute('fx'), w = +r.getAttribute('fw'), y = "
			"+r.getAttribute('y');\n"
			"  var scale = (W - 2 * P) / w;\n"
			"  for (var i = 0; i < frames.length; i++) {\n"
			"    var e = frames[i], er = e.getElementsByTagName('rect')[0];\n"
			"    var ex = +er.getAttribute('fx'), ew = +er.getAttribute('fw'), ey = "
			"+er.getAttribute('y');\n"
			"    if (ey > y && ex <= x + 0.01 && ex + ew >= x + w - 0.01) {\n"
			"      e.style.display = ''; e.style.opacity = 0.6; fit(e, P, W - 2 * P);\n"
			"    } else if (ey <= y && ex >= x - 0.01 && ex + ew <= x + w + 0.01) {\n"
			"      e.style.display = ''; e.style.opacity = 1; fit(e, P + (ex - x) * "
			"scale, ew * scale);\n"
			"    } else {\n"
			"      e.style.display = 'none';\n"
			"    }\n"
			"  }\n"
			"  unzoombtn.style.opacity = 1;\n"
			"}\n"
			"function unzoom() {\n"
			"  for (var i = 0; i < frames.length; i++) {\n"
			"    var e = frames[i], er = e.getElementsByTagName('rect')[0];\n"
			"    e.style.display = ''; e.style.opacity = 1;\n"
			"    fit(e, +er.getAttribute('fx'), +er.getAttribute('fw'));\n"
			"  }\n"
			"  unzoombtn.style.opacity = 0.1;\n"
			"}\n"
			"function search_prompt() {\n"
			"  var term = prompt('Search frames (regular expression); empty to clear', "
			"'');\n"
			"  if (term === null) return;\n"
			"  var re = term ? new RegExp(term) : null, total = 0, ranges = [];\n"
			"  for (var i = 0; i < frames.length; i++) {\n"
			"    var e = frames[i], r = e.getElementsByTagName('rect')[0];\n"
			"    if (re && re.test(name(e))) {\n"
			"      r.setAttribute('fill', 'rgb(230,0,230)');\n"
			"      ranges.push([+r.getAttribute('fx'), +r.getAttribute('fw')]);\n"
			"    } else {\n"
			"      r.setAttribute('fill', r.getAttribute('ofill'));\n"
			"    }\n"
			"  }\n"
			"  ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
			"  var end = -1;\n"
			"  for (var j = 0; j < ranges.length; j++) {\n"
			"    if (ranges[j][0] >= end) { total += ranges[j][1]; end = ranges[j][0] "
			"+ ranges[j][1]; }\n"
			"  }\n"
			"  matched.nodeValue = re ? 'Matched: ' + (100 * total / (W - 2 * "
			"P)).toFixed(1) + '%' : ' ';\n"
			"}\n";

int render_flamegraph(FILE *f, const struct stack_set *set, const char *title)
{
	struct tree t = {0};
	bool on = false, off = false;
	struct draw d;
	char dur[32];

	for (size_t i = 0; i < set->n; i++) {
		if (set->stacks[i].kind == STACK_OFFCPU)
			off = true;
		else if (set->stacks[i].kind == STACK_ONCPU)
			on = true;
	}
	node_new(&t, "all", N_ROOT, 0);
	for (size_t i = 0; i < set->n; i++)
		if (set->stacks[i].kind != STACK_RELEASE)
			tree_add(&t, set, &set->stacks[i], on && off);
	d = (struct draw){
		.f = f,
		.t = &t,
		.set = set,
		.px_per_ns = t.n[0].ns ? (double)(FG_WIDTH - 2 * FG_PAD) / t.n[0].ns : 0,
		.height = FG_TOP + FG_BOTTOM + (t.depth + 1) * FG_ROW,
	};
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"onload=\"init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		FG_WIDTH, d.height, FG_WIDTH, d.height);
	fprintf(f,
		"<style type=\"text/css\">text { font-family: monospace; font-size: 12px; "
		"fill: #000; } .f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; } "
		"#title { font-size: 16px; } .btn { cursor: pointer; fill: #333; }</style>\n");
	fprintf(f, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n", script);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f6f6f0\"/>\n",
		FG_WIDTH, d.height);
	fprintf(f, "<text id=\"title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">", FG_WIDTH / 2);
	markup_text(f, title, 200, false);
	fprintf(f, " (%s%s)</text>\n", fmt_dur(dur, sizeof(dur), t.n[0].ns),
		on && off ? ": on-CPU in warm colours, off-CPU in blue"
		: off	  ? " off-CPU"
			  : " on-CPU");
	fprintf(f,
		"<text id=\"unzoom\" class=\"btn\" x=\"%d\" y=\"24\" style=\"opacity:0.1\" "
		"onclick=\"unzoom()\">Reset zoom</text>\n",
		FG_PAD);
	fprintf(f,
		"<text class=\"btn\" x=\"%d\" y=\"24\" onclick=\"search_prompt()\">Search</text>\n",
		FG_WIDTH - FG_PAD - 60);
	fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", FG_PAD, d.height - 10);
	fprintf(f, "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n", FG_WIDTH - FG_PAD - 140,
		d.height - 10);
	fprintf(f, "<g id=\"frames\">\n");
	if (t.n[0].ns)
		draw(&d, 0, FG_PAD, 0);
	fprintf(f, "</g>\n</svg>\n");
	free(t.n);
	return ferror(f) ? -1 : 0;
}
