// SPDX-License-Identifier: GPL-2.0
/* procscope: parse the command line, run, exit with the run's status. */
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "run.h"
#include "util.h"

int main(int argc, char **argv)
{
	uint64_t started_ns = now_ns();
	struct config cfg;
	int ret;

	config_init(&cfg);
	cli_parse(argc, argv, &cfg, CLI_EXIT_ON_ERROR);
	log_verbosity = cfg.verbose;
	ret = run(&cfg, started_ns);
	config_release(&cfg);
	return ret;
}
