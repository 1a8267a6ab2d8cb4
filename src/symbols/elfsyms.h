/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ELF file's symbols, from an open file descriptor (so deleted files, memfd
 * executables and files in other mount namespaces work, through /proc/PID/map_files)
 * or from memory (the vDSO). .symtab if present, else .dynsym; functions only.
 */
#ifndef PROCSCOPE_ELFSYMS_H
#define PROCSCOPE_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUILD_ID_MAX 20

struct elf_sym {
	uint64_t addr;
	uint64_t size;
	const char *name; /* into elf_syms.names */
};

struct elf_load {
	uint64_t offset, vaddr, filesz, memsz;
	bool exec;
};

struct elf_syms {
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len; /* 0 = none */
	struct elf_load load[16];
	int n_load;
	struct elf_sym *syms; /* sorted by addr */
	size_t n_syms;
	char *names;
	bool from_symtab; /* false: only .dynsym was there */
};

/* The GNU build id of the ELF file open as @fd; 0 and its length, or -errno. */
int elf_build_id_fd(int fd, unsigned char *out, int *len);

/* What identifies a file and places it in memory, without reading its symbols. */
struct elf_ident {
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len;
	struct elf_load load[16];
	int n_load;
	char debuglink[256]; /* .gnu_debuglink: the separate debug file's name, "" if none */
	uint32_t debuglink_crc;
};

/* Fill @out for the ELF file open as @fd (the caller keeps @fd); 0 or -EINVAL. */
int elf_ident_fd(int fd, struct elf_ident *out);
/* The same for an image in memory (the vDSO). */
int elf_ident_mem(const void *image, size_t size, struct elf_ident *out);

/*
 * Data symbol @name of the ELF file open as @fd (.dynsym or .symtab): its address in
 * *@vaddr, and, if @buf, its first @len bytes from the file. 0, -ENOENT or -EINVAL.
 */
int elf_object_fd(int fd, const char *name, uint64_t *vaddr, void *buf, size_t len);

int elf_syms__load_fd(struct elf_syms *e, int fd);
int elf_syms__load_mem(struct elf_syms *e, const void *image, size_t size);
void elf_syms__free(struct elf_syms *e);

/*
 * The ELF virtual address of file offset @off, through the PT_LOAD segments (in a
 * separate debug file, whose code has no file offsets: as linkers lay it out).
 */
bool elf_syms__offset_to_vaddr(const struct elf_syms *e, uint64_t off, uint64_t *vaddr);
/*
 * Is file offset @off in an executable segment of @e? A return address anywhere else
 * (data, or past the file) is a frame-pointer walk gone astray. True when @e has no
 * program headers to tell.
 */
bool elf_syms__offset_is_code(const struct elf_syms *e, uint64_t off);
/* The function containing @vaddr, or NULL. */
const struct elf_sym *elf_syms__lookup(const struct elf_syms *e, uint64_t vaddr);

/* "3f2a9c1e..." into @buf (at least 2 * BUILD_ID_MAX + 1 bytes) */
void build_id_hex(const unsigned char *id, int len, char *buf);

#endif
