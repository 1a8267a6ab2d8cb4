/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading libbpf's log of a failed load: which program the kernel refused, and the
 * verifier's (or libbpf's) reason in one line -- so that procscope can turn off just
 * what depends on that program and say why (session.c). libbpf stops at the first
 * program that fails and says "prog 'NAME': failed to load"; the verifier's log of
 * that program ends with its reason, before "processed N insns".
 */
#ifndef PROCSCOPE_LOADLOG_H
#define PROCSCOPE_LOADLOG_H

#include <stdbool.h>
#include <stddef.h>

/* The program libbpf failed to load, into @name; false if the log names none. */
bool loadlog_failed_prog(const char *log, char *name, size_t len);
/* The reason @prog was refused, one line, into @out ("" if the log has none). */
void loadlog_reason(const char *log, const char *prog, char *out, size_t len);

#endif
