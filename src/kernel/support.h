/* SPDX-License-Identifier: GPL-2.0 */
/* procscope --check: load every subsystem (no attach) and say what this kernel supports. */
#ifndef PROCSCOPE_CHECK_H
#define PROCSCOPE_CHECK_H

#include <stdio.h>

#include "model/config.h"

/* Print the outcome to @out (text, or JSON with cfg->json); 0 if everything loads, else 1. */
int support_report(const struct config *cfg, FILE *out);

#endif
