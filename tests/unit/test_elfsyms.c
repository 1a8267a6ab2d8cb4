// SPDX-License-Identifier: GPL-2.0
/*
 * ELF symbol tables: the test binary's own functions are found by address.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "elfsyms.h"
#include "test.h"
#include "util.h"

TEST(test_elfsyms__symbols_of_this_binary)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	unsigned char id[BUILD_ID_MAX];
	struct elf_syms e;
	int len = 0;

	CHECK_I64(elf_build_id_fd(fd, id, &len), 0);
	CHECK_I64(len, 20);
	CHECK_I64(elf_syms__load_fd(&e, fd), 0);
	CHECK(e.n_syms > 10);
	CHECK(e.from_symtab);
	CHECK(e.n_load >= 2);
	CHECK_U64(e.build_id_len, 20);
	close(fd);
	elf_syms__free(&e);
}
