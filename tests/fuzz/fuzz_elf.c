// SPDX-License-Identifier: GPL-2.0
/* ELF files as the symbolizer reads them: build id, symbols, program headers. */
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/elfsyms.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC), len = 0;
	unsigned char id[BUILD_ID_MAX];
	struct elf_syms e;
	uint64_t vaddr;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		elf_build_id_fd(fd, id, &len);
		if (elf_syms__load_fd(&e, fd) == 0) {
			for (uint64_t off = 0; off < 0x10000; off += 0x1000) {
				if (elf_syms__offset_to_vaddr(&e, off, &vaddr))
					elf_syms__lookup(&e, vaddr);
				elf_syms__offset_is_code(&e, off);
			}
			elf_syms__free(&e);
		}
	}
	close(fd);
	return 0;
}
