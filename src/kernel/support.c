// SPDX-License-Identifier: GPL-2.0
/*
 * procscope --check: what this kernel supports. Every subsystem's programs are loaded
 * (not attached) as a run would load them, refusals and missing tracepoints handled
 * the same way (session.c), and the outcome printed per subsystem: a table, or one
 * JSON record with --json. Exit status 0 when every subsystem loads, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/support.h"
#include "lib/json_writer.h"
#include "lib/log.h"
#include "host/preflight.h"
#include "kernel/session.h"
#include "lib/util.h"

/* The note about program @prog, or NULL. */
static const struct kernel_note *note_of(const struct kernel_info *k, const char *prog)
{
	for (size_t i = 0; i < k->n_notes; i++)
		if (!strcmp(k->notes[i].prog, prog))
			return &k->notes[i];
	return NULL;
}

static void check_text(FILE *f, const struct kernel_info *k)
{
	fprintf(f, "procscope %s on Linux %s: BTF yes, BPF task storage yes\n", PROCSCOPE_VERSION,
		k->release);
	fprintf(f, "  %-9s %-6s %s\n", "SUBSYSTEM", "LOADS",
		"PROGRAMS, AND WHAT THIS KERNEL LACKS");
	for (const struct subsys_desc *d = subsystems; d->name; d++) {
		bool on = !d->bit || (k->subsys & d->bit);

		fprintf(f, "  %-9s %-6s", d->name, on ? "yes" : "no");
		if (!d->progs[0].name)
			fprintf(f, " (no programs of its own)");
		for (const struct subsys_prog *p = d->progs; p->name; p++)
			fprintf(f, " %s%s", p->name, note_of(k, p->name) ? "*" : "");
		fputc('\n', f);
		for (const struct subsys_prog *p = d->progs; p->name; p++) {
			const struct kernel_note *n = note_of(k, p->name);

			if (!n)
				continue;
			if (n->kind == KNOTE_REJECTED)
				fprintf(f, "  %19s %s refused: %s; %s\n", "*", p->name, n->reason,
					n->effect);
			else
				fprintf(f, "  %19s %s: no tracepoint %s (Linux %s): %s\n", "*",
					p->name, n->tracepoint, n->since, n->effect);
		}
	}
}

static void check_json(FILE *f, const struct kernel_info *k)
{
	struct json_writer w;

	jw_init(&w, f);
	jw_object_begin(&w);
	jw_kv_str(&w, "type", "check");
	jw_kv_u64(&w, "schema_version", JSON_SCHEMA_VERSION);
	jw_kv_str(&w, "procscope_version", PROCSCOPE_VERSION);
	jw_kv_str(&w, "release", k->release);
	jw_key(&w, "subsystems");
	jw_array_begin(&w);
	for (const struct subsys_desc *d = subsystems; d->name; d++) {
		jw_object_begin(&w);
		jw_kv_str(&w, "name", d->name);
		jw_kv_bool(&w, "loaded", !d->bit || (k->subsys & d->bit));
		jw_key(&w, "programs");
		jw_array_begin(&w);
		for (const struct subsys_prog *p = d->progs; p->name; p++) {
			const struct kernel_note *n = note_of(k, p->name);

			jw_object_begin(&w);
			jw_kv_str(&w, "name", p->name);
			jw_kv_bool(&w, "loaded", !n);
			jw_kv_str(&w, "tracepoint", p->tp);
			jw_kv_str(&w, "refused", n && n->kind == KNOTE_REJECTED ? n->reason : NULL);
			jw_kv_str(&w, "effect", n ? n->effect : NULL);
			jw_object_end(&w);
		}
		jw_array_end(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	jw_end_record(&w);
}

int support_report(const struct config *cfg, FILE *out)
{
	struct config all = *cfg;
	struct session_opts so = {.cfg = &all, .mode = MODE_ALL};
	struct session *s = NULL;
	const struct kernel_info *k;
	int status = 0;

	if (preflight_privileges() || preflight_btf(cfg->btf_path) || preflight_kernel())
		return EXIT_RUNTIME;
	all.subsys = SUB_ALL;
	if (session__open(&s, &so))
		return EXIT_RUNTIME;
	k = session__kernel(s);
	if (cfg->json)
		check_json(out, k);
	else
		check_text(out, k);
	for (size_t i = 0; i < k->n_notes; i++)
		if (k->notes[i].kind == KNOTE_REJECTED)
			status = EXIT_RUNTIME;
	session__free(s);
	return status;
}
