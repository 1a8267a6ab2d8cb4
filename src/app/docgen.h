/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The man page (procscope(8), roff) and the bash completion, written from the option
 * table of cli.c, the subsystem registry and the alert metrics: what --help says, they
 * say (tools/gendocs.c writes them at build time).
 */
#ifndef PROCSCOPE_DOCGEN_H
#define PROCSCOPE_DOCGEN_H

#include <stdio.h>

/* procscope(8); @date as it goes in the title line ("2026-12-06"). */
void docgen_man(FILE *f, const char *date);
/* A bash completion script defining _procscope and `complete -F _procscope procscope`. */
void docgen_bash(FILE *f);

#endif
