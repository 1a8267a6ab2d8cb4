// SPDX-License-Identifier: GPL-2.0
/*
 * ELF symbol tables: the test binary's own functions are found by address.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "symbols/elfsyms.h"
#include "test.h"
#include "lib/util.h"

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
	/* code is where the executable segments are; data and past the file are not */
	uint64_t end = 0;
	int code = 0, data = 0;

	for (int i = 0; i < e.n_load; i++) {
		const struct elf_load *l = &e.load[i];

		if (!l->filesz)
			continue;
		CHECK(elf_syms__offset_is_code(&e, l->offset + l->filesz / 2) == l->exec);
		code += l->exec;
		data += !l->exec;
		if (l->offset + l->filesz > end)
			end = l->offset + l->filesz;
	}
	CHECK(code >= 1 && data >= 1);
	CHECK(!elf_syms__offset_is_code(&e, end + 4096));
	close(fd);
	elf_syms__free(&e);
}

/*
 * A separate debug file (Debian's libc6-dbg) has no file offsets for code: a libc
 * function's offset, taken from libc itself, still finds its symbol there.
 */
TEST(test_elfsyms__debug_file_offsets)
{
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	unsigned char id[BUILD_ID_MAX];
	char hex[2 * BUILD_ID_MAX + 1], path[160];
	struct elf_syms bin, dbg;
	uint64_t vaddr = 0, off = 0, got;
	int fd = open(libc, O_RDONLY), dfd, len = 0;

	if (fd < 0 || elf_build_id_fd(fd, id, &len) || len != BUILD_ID_MAX) {
		printf("    skip: no %s with a build id\n", libc);
		if (fd >= 0)
			close(fd);
		return;
	}
	build_id_hex(id, len, hex);
	snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
	dfd = open(path, O_RDONLY);
	if (dfd < 0) {
		printf("    skip: no debug file for libc (libc6-dbg)\n");
		close(fd);
		return;
	}
	CHECK_I64(elf_syms__load_fd(&bin, fd), 0);
	CHECK_I64(elf_syms__load_fd(&dbg, dfd), 0);
	for (size_t i = 0; i < bin.n_syms; i++)
		if (!strcmp(bin.syms[i].name, "getppid"))
			vaddr = bin.syms[i].addr;
	CHECK(vaddr != 0);
	for (int i = 0; i < bin.n_load; i++)
		if (vaddr >= bin.load[i].vaddr && vaddr < bin.load[i].vaddr + bin.load[i].filesz)
			off = vaddr - bin.load[i].vaddr + bin.load[i].offset;
	CHECK(elf_syms__offset_to_vaddr(&dbg, off + 4, &got));
	CHECK_U64(got, vaddr + 4);
	CHECK(elf_syms__lookup(&dbg, got) && strstr(elf_syms__lookup(&dbg, got)->name, "getppid"));
	elf_syms__free(&bin);
	elf_syms__free(&dbg);
	close(fd);
	close(dfd);
}
