/* SPDX-License-Identifier: GPL-2.0 */
/* One procscope run; returns the process exit status (see --help: EXIT STATUS). */
#ifndef PROCSCOPE_RUN_H
#define PROCSCOPE_RUN_H

#include <stdint.h>

#include "model/config.h"

int run(struct config *cfg, uint64_t started_ns);

#endif
