// SPDX-License-Identifier: GPL-2.0
/* The command line: arguments split at NUL bytes, parsed without exiting. */
#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>

#include "app/cli.h"
#include "model/config.h"
#include "fuzz.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	char *buf = malloc(size + 1), *argv[66];
	struct config cfg;
	int argc = 0;

	if (!quiet) {
		/* --help and --version print: keep the fuzzer's output readable */
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		quiet = true;
	}
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "procscope";
	for (size_t i = 0; i <= size && argc < 65; i++) {
		argv[argc++] = buf + i;
		i += strlen(buf + i);
	}
	argv[argc] = NULL;
	log_verbosity = -1;
	config_init(&cfg);
	cli_parse(argc, argv, &cfg, CLI_QUIET_RETURN);
	config_release(&cfg);
	free(buf);
	return 0;
}
