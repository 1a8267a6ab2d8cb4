// SPDX-License-Identifier: GPL-2.0
/*
 * Writes procscope's man page or bash completion (src/app/docgen.c) to stdout, at build
 * time: gendocs man DATE | gendocs bash.
 */
#include <stdio.h>
#include <string.h>

#include "app/docgen.h"

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "man")) {
		docgen_man(stdout, argv[2]);
	} else if (argc == 2 && !strcmp(argv[1], "bash")) {
		docgen_bash(stdout);
	} else {
		fprintf(stderr, "usage: gendocs man DATE | gendocs bash\n");
		return 2;
	}
	return fflush(stdout) ? 1 : 0;
}
