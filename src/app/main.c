// SPDX-License-Identifier: GPL-2.0
/* procscope: parse the command line, run, exit with the run's status. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/cli.h"
#include "lib/log.h"
#include "app/output.h"
#include "app/run.h"
#include "app/signals.h"
#include "lib/util.h"

/*
 * Descriptors 0-2 closed by whoever started us would be reused by the first files we
 * open, and the report would land in one of them: hold them (read-only, so that a
 * write to a closed standard output still fails) and remember that stdout was closed.
 */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == STDOUT_FILENO)
			output_stdout_closed();
		if (open("/dev/null", O_RDONLY) != fd)
			open("/", O_RDONLY | O_DIRECTORY); /* anything, to fill the number */
	}
}

int main(int argc, char **argv)
{
	uint64_t started_ns = now_ns();
	struct config cfg;
	int ret;

	signals_hold();
	hold_std_fds();
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD); /* util.h */
	config_init(&cfg);
	cli_parse(argc, argv, &cfg, CLI_EXIT_ON_ERROR);
	log_verbosity = cfg.verbose;
	ret = run(&cfg, started_ns);
	config_release(&cfg);
	return ret;
}
