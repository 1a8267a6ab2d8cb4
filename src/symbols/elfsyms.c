// SPDX-License-Identifier: GPL-2.0
/* ELF symbol tables and build ids with libelf; see elfsyms.h. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/elfsyms.h"
#include "lib/util.h"

#define NT_GNU_BUILD_ID_ 3

static void elf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

void build_id_hex(const unsigned char *id, int len, char *buf)
{
	for (int i = 0; i < len; i++)
		sprintf(buf + 2 * i, "%02x", id[i]);
	buf[2 * (len > 0 ? len : 0)] = '\0';
}

/* Look for NT_GNU_BUILD_ID in one note blob. */
static bool find_build_id(Elf_Data *d, unsigned char *out, int *len)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID_ && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz > 0) {
			*len = nh.n_descsz > BUILD_ID_MAX ? BUILD_ID_MAX : (int)nh.n_descsz;
			memcpy(out, (char *)d->d_buf + desc_off, *len);
			return true;
		}
	}
	return false;
}

static bool elf_build_id(Elf *elf, unsigned char *out, int *len)
{
	size_t nph = 0;
	Elf_Scn *scn = NULL;

	if (elf_getphdrnum(elf, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_NOTE &&
			    find_build_id(
				    elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_NHDR),
				    out, len))
				return true;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    find_build_id(elf_getdata(scn, NULL), out, len))
			return true;
	}
	return false;
}

int elf_build_id_fd(int fd, unsigned char *out, int *len)
{
	Elf *elf;
	int err = -ENOENT;

	elf_init();
	*len = 0;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) == ELF_K_ELF && elf_build_id(elf, out, len))
		err = 0;
	elf_end(elf);
	return err;
}

static int read_phdrs(Elf *elf, struct elf_load *load, int max)
{
	size_t nph = 0;
	int n = 0;

	if (elf_getphdrnum(elf, &nph))
		return 0;
	for (size_t i = 0; i < nph && n < max; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			load[n].offset = ph.p_offset;
			load[n].vaddr = ph.p_vaddr;
			load[n].filesz = ph.p_filesz;
			load[n].memsz = ph.p_memsz;
			load[n].exec = !!(ph.p_flags & PF_X);
			n++;
		}
	}
	return n;
}

/* .gnu_debuglink: a file name, NUL, padding to 4 bytes, a CRC-32 of the debug file */
static void read_debuglink(Elf *elf, struct elf_ident *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".gnu_debuglink") || !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		n = strnlen(d->d_buf, d->d_size);
		if (!n || n >= sizeof(out->debuglink) || ((n + 4) & ~3UL) + 4 > d->d_size ||
		    memchr(d->d_buf, '/', n))
			return;
		memcpy(out->debuglink, d->d_buf, n);
		out->debuglink[n] = '\0';
		memcpy(&out->debuglink_crc, (char *)d->d_buf + ((n + 4) & ~3UL), 4);
		return;
	}
}

static int ident(Elf *elf, struct elf_ident *out)
{
	memset(out, 0, sizeof(*out));
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		return -EINVAL;
	elf_build_id(elf, out->build_id, &out->build_id_len);
	out->n_load = read_phdrs(elf, out->load, (int)ARRAY_SIZE(out->load));
	read_debuglink(elf, out);
	return 0;
}

int elf_ident_fd(int fd, struct elf_ident *out)
{
	Elf *elf;
	int err;

	elf_init();
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = ident(elf, out);
	if (elf)
		elf_end(elf);
	return err;
}

int elf_ident_mem(const void *image, size_t size, struct elf_ident *out)
{
	Elf *elf;
	int err;

	elf_init();
	elf = elf_memory((char *)image, size);
	err = ident(elf, out);
	if (elf)
		elf_end(elf);
	return err;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* at one address, the symbol with a size first */
	return (x->size == 0) - (y->size == 0);
}

static int read_syms(struct elf_syms *e, Elf *elf, Elf_Scn *scn)
{
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n, names_len = 0, k = 0, off = 0;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return -EINVAL;
	n = sh.sh_size / sh.sh_entsize;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			size_t len;

			if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value ||
			    sym.st_shndx == SHN_UNDEF ||
			    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
			     GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			len = strlen(name) + 1;
			if (pass == 0) {
				names_len += len;
				k++;
				continue;
			}
			memcpy(e->names + off, name, len);
			e->syms[e->n_syms].addr = sym.st_value;
			e->syms[e->n_syms].size = sym.st_size;
			e->syms[e->n_syms].name = e->names + off;
			e->n_syms++;
			off += len;
		}
		if (pass == 0) {
			e->syms = xcalloc(k ? k : 1, sizeof(*e->syms));
			e->names = xmalloc(names_len ? names_len : 1);
		}
	}
	qsort(e->syms, e->n_syms, sizeof(*e->syms), cmp_sym);
	return 0;
}

static int load(struct elf_syms *e, Elf *elf)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;

	memset(e, 0, sizeof(*e));
	if (elf_kind(elf) != ELF_K_ELF)
		return -EINVAL;
	elf_build_id(elf, e->build_id, &e->build_id_len);
	e->n_load = read_phdrs(elf, e->load, (int)ARRAY_SIZE(e->load));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	e->from_symtab = symtab != NULL;
	if (symtab || dynsym)
		return read_syms(e, elf, symtab ? symtab : dynsym);
	return 0;
}

int elf_syms__load_fd(struct elf_syms *e, int fd)
{
	Elf *elf;
	int err;

	elf_init();
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	err = load(e, elf);
	elf_end(elf);
	return err;
}

int elf_syms__load_mem(struct elf_syms *e, const void *image, size_t size)
{
	Elf *elf;
	int err;

	elf_init();
	elf = elf_memory((char *)image, size);
	if (!elf)
		return -EINVAL;
	err = load(e, elf);
	elf_end(elf);
	return err;
}

/* Symbol @name in section @scn (a symbol table): 0 and *@out, or -ENOENT. */
static int find_symbol(Elf *elf, Elf_Scn *scn, const char *name, GElf_Sym *out)
{
	GElf_Shdr sh;
	Elf_Data *d;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return -ENOENT;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *n;

		if (gelf_getsym(d, (int)i, out) && out->st_shndx != SHN_UNDEF &&
		    (n = elf_strptr(elf, sh.sh_link, out->st_name)) && !strcmp(n, name))
			return 0;
	}
	return -ENOENT;
}

int elf_object_fd(int fd, const char *name, uint64_t *vaddr, void *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Sym sym;
	GElf_Shdr sh;
	int err = -ENOENT;
	Elf *elf;

	elf_init();
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	while (err && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
			err = find_symbol(elf, scn, name, &sym);
	if (!err) {
		*vaddr = sym.st_value;
		/* its bytes, from its section in the file (no bytes in .bss) */
		if (buf &&
		    (!gelf_getshdr(elf_getscn(elf, sym.st_shndx), &sh) ||
		     sh.sh_type != SHT_PROGBITS || sym.st_value < sh.sh_addr ||
		     sym.st_value - sh.sh_addr + len > sh.sh_size ||
		     pread(fd, buf, len, (off_t)(sh.sh_offset + sym.st_value - sh.sh_addr)) !=
			     (ssize_t)len))
			err = -EINVAL;
	}
	elf_end(elf);
	return err;
}

void elf_syms__free(struct elf_syms *e)
{
	free(e->syms);
	free(e->names);
	memset(e, 0, sizeof(*e));
}

bool elf_syms__offset_to_vaddr(const struct elf_syms *e, uint64_t off, uint64_t *vaddr)
{
	for (int i = 0; i < e->n_load; i++) {
		const struct elf_load *l = &e->load[i];

		if (off >= l->offset && off < l->offset + l->filesz) {
			*vaddr = off - l->offset + l->vaddr;
			return true;
		}
	}
	/*
	 * A separate debug file keeps the program headers' addresses but not their file
	 * offsets (code is NOBITS there). Linkers lay code out at the same distance from
	 * the first segment in the file as in memory, the first at offset 0: take that,
	 * if it lands in an executable segment.
	 */
	for (int i = 0; e->n_load && i < e->n_load; i++) {
		const struct elf_load *l = &e->load[i];
		uint64_t va = off + e->load[0].vaddr;

		if (l->exec && !l->filesz && va >= l->vaddr && va < l->vaddr + l->memsz) {
			*vaddr = va;
			return true;
		}
	}
	return false;
}

bool elf_syms__offset_is_code(const struct elf_syms *e, uint64_t off)
{
	uint64_t vaddr;

	if (!e->n_load)
		return true;
	for (int i = 0; i < e->n_load; i++) {
		const struct elf_load *l = &e->load[i];

		if (off >= l->offset && off < l->offset + l->filesz)
			return l->exec;
	}
	/* a separate debug file: elf_syms__offset_to_vaddr only maps into code */
	return elf_syms__offset_to_vaddr(e, off, &vaddr);
}

const struct elf_sym *elf_syms__lookup(const struct elf_syms *e, uint64_t vaddr)
{
	size_t lo = 0, hi = e->n_syms;
	const struct elf_sym *s;

	/* the last symbol at or below vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &e->syms[lo - 1];
	/* at an address with several names, cmp_sym put the sized one first */
	while (s > e->syms && s[-1].addr == s->addr)
		s--;
	if (s->size ? vaddr < s->addr + s->size : vaddr - s->addr < 4096)
		return s;
	return NULL;
}
