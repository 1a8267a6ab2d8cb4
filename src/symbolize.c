// SPDX-License-Identifier: GPL-2.0
/* Frame names: kallsyms, ELF symbol tables by build id, process mappings; see symbolize.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsyms.h"
#include "log.h"
#include "symbolize.h"
#include "util.h"

/* libstdc++'s C ABI demangler: C++ names read as C++ */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

struct module {
	char *name; /* base name, for display */
	char build_id_hex[2 * BUILD_ID_MAX + 1];
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len;
	dev_t dev;
	ino_t ino;
	int fd; /* open until parsed */
	bool parsed, vdso;
	struct elf_syms elf;
	char **demangled; /* parallel to elf.syms, filled on first use */
};

struct map_entry {
	uint64_t start, end, pgoff;
	struct module *mod;
};

struct proc_map {
	struct map_entry *e;
	size_t n;
	bool captured;
};

struct ksym {
	uint64_t addr;
	const char *name;
};

struct symbolizer {
	struct module **mods;
	size_t n_mods;
	struct proc_map *maps; /* by slot */
	size_t maps_cap;
	struct ksym *ksyms;
	size_t n_ksyms;
	char *kbuf;
	bool kloaded;
	struct module *vdso;
	struct symbolizer_stats stats;
	char **own; /* procscope's BPF program names */
	size_t n_own;
	char buf[512]; /* the last unresolved (or own) frame's name */
	char hex[2 * BUILD_ID_MAX + 1];
};

/* Where separate debug files live; PROCSCOPE_DEBUG_DIR overrides (tests, odd layouts). */
static const char *debug_dir(void)
{
	const char *d = getenv("PROCSCOPE_DEBUG_DIR");

	return d && *d ? d : "/usr/lib/debug";
}

struct symbolizer *symbolizer__new(void)
{
	return xcalloc(1, sizeof(struct symbolizer));
}

static void module_free(struct module *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->demangled)
		for (size_t i = 0; i < m->elf.n_syms; i++)
			free(m->demangled[i]);
	free(m->demangled);
	elf_syms__free(&m->elf);
	free(m->name);
	free(m);
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_mods; i++)
		module_free(s->mods[i]);
	free(s->mods);
	for (size_t i = 0; i < s->maps_cap; i++)
		free(s->maps[i].e);
	free(s->maps);
	free(s->ksyms);
	free(s->kbuf);
	for (size_t i = 0; i < s->n_own; i++)
		free(s->own[i]);
	free(s->own);
	free(s);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static struct module *module_add(struct symbolizer *s, const char *path, int fd)
{
	struct module *m = xcalloc(1, sizeof(*m));
	char clean[4096];
	size_t n;

	/* "/usr/bin/x (deleted)": the name is still the best we have */
	snprintf(clean, sizeof(clean), "%s", base_name(path));
	n = strlen(clean);
	if (n > 10 && !strcmp(clean + n - 10, " (deleted)"))
		clean[n - 10] = '\0';
	m->name = xstrdup(clean);
	m->fd = fd;
	s->mods = xrealloc(s->mods, sizeof(*s->mods) * (s->n_mods + 1));
	s->mods[s->n_mods++] = m;
	s->stats.modules++;
	return m;
}

/*
 * The module for the file open as @fd (the caller's fd is consumed): found by device
 * and inode, else by build id, else added.
 */
static struct module *module_of_fd(struct symbolizer *s, int fd, const char *path)
{
	unsigned char id[BUILD_ID_MAX];
	struct module *m;
	struct stat st;
	int len = 0;

	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < s->n_mods; i++) {
		m = s->mods[i];
		if (!m->vdso && m->dev == st.st_dev && m->ino == st.st_ino) {
			close(fd);
			return m;
		}
	}
	elf_build_id_fd(fd, id, &len);
	for (size_t i = 0; len && i < s->n_mods; i++) {
		m = s->mods[i];
		if (m->build_id_len == len && !memcmp(m->build_id, id, (size_t)len)) {
			close(fd);
			return m;
		}
	}
	m = module_add(s, path, fd);
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->build_id_len = len;
	memcpy(m->build_id, id, (size_t)len);
	build_id_hex(id, len, m->build_id_hex);
	return m;
}

/* The vDSO is the same image in every process: parse procscope's own copy. */
static struct module *vdso_module(struct symbolizer *s)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	char line[512];
	FILE *f;
	size_t size = 0;

	if (s->vdso || !base)
		return s->vdso;
	f = fopen("/proc/self/maps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &a, &b) == 2 && a == base)
			size = b - a;
	}
	if (f)
		fclose(f);
	s->vdso = module_add(s, "[vdso]", -1);
	s->vdso->vdso = true;
	s->vdso->parsed = true;
	if (size)
		elf_syms__load_mem(&s->vdso->elf, (const void *)base, size);
	return s->vdso;
}

static struct proc_map *proc_map_of(struct symbolizer *s, uint32_t slot)
{
	if (slot >= s->maps_cap) {
		size_t cap = s->maps_cap ? s->maps_cap : 64;

		while (cap <= slot)
			cap *= 2;
		s->maps = xrealloc(s->maps, cap * sizeof(*s->maps));
		memset(s->maps + s->maps_cap, 0, (cap - s->maps_cap) * sizeof(*s->maps));
		s->maps_cap = cap;
	}
	return &s->maps[slot];
}

int symbolizer__capture(struct symbolizer *s, uint32_t slot, uint32_t pid)
{
	struct proc_map *pm = proc_map_of(s, slot);
	char path[64], line[4608];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		s->stats.capture_misses++;
		return -errno;
	}
	pm->n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, pgoff;
		char perms[8], file[4096] = "", mf[128];
		struct module *m = NULL;
		int fd;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095[^\n]", &start, &end, perms, &pgoff,
			   file) < 4 ||
		    !strchr(perms, 'x'))
			continue;
		if (!strcmp(file, "[vdso]")) {
			m = vdso_module(s);
			pgoff = 0;
		} else if (file[0] == '/') {
			/* the mapped file itself: deleted, replaced, memfd or in another namespace
			 */
			snprintf(mf, sizeof(mf), "/proc/%u/map_files/%lx-%lx", pid, start, end);
			fd = open(mf, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				char alt[4200];

				snprintf(alt, sizeof(alt), "/proc/%u/root%s", pid, file);
				fd = open(alt, O_RDONLY | O_CLOEXEC);
			}
			if (fd >= 0)
				m = module_of_fd(s, fd, file);
		}
		/* kept without a module: still executable, so frames in it are code */
		pm->e = xrealloc(pm->e, sizeof(*pm->e) * (pm->n + 1));
		pm->e[pm->n++] = (struct map_entry){start, end, pgoff, m};
	}
	fclose(f);
	pm->captured = true;
	s->stats.captures++;
	pr_debug("mappings of pid %u (slot %u): %zu executable, %zu files known", pid, slot, pm->n,
		 s->n_mods);
	for (size_t i = 0; i < pm->n; i++)
		pr_debug("  %lx-%lx %s %s", (unsigned long)pm->e[i].start,
			 (unsigned long)pm->e[i].end, pm->e[i].mod ? pm->e[i].mod->name : "[anon]",
			 pm->e[i].mod ? pm->e[i].mod->build_id_hex : "");
	return 0;
}

int symbolizer__exe(struct symbolizer *s, uint32_t pid)
{
	char path[64], target[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	return module_of_fd(s, fd, n > 0 ? target : "[exe]") ? 0 : -EINVAL;
}

/*
 * A file stripped of .symtab (Debian's libc, for one) may have its full symbol table
 * in a separate debug file, found by build id as debuggers do:
 * /usr/lib/debug/.build-id/xx/yyyy.debug. Its symbols replace .dynsym's; the segment
 * layout stays the binary's own.
 */
static void load_debug_file(struct module *m)
{
	char path[128];
	struct elf_syms dbg;
	int fd;

	if (m->elf.from_symtab || m->build_id_len < 2)
		return;
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", debug_dir(), m->build_id_hex,
		 m->build_id_hex + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (elf_syms__load_fd(&dbg, fd) == 0 && dbg.n_syms) {
		free(m->elf.syms);
		free(m->elf.names);
		m->elf.syms = dbg.syms;
		m->elf.n_syms = dbg.n_syms;
		m->elf.names = dbg.names;
		m->elf.from_symtab = dbg.from_symtab;
	} else {
		elf_syms__free(&dbg);
	}
	close(fd);
}

static void module_parse(struct symbolizer *s, struct module *m)
{
	if (m->parsed)
		return;
	m->parsed = true;
	if (m->fd >= 0) {
		if (elf_syms__load_fd(&m->elf, m->fd) == 0)
			s->stats.parses++;
		close(m->fd);
		m->fd = -1;
		load_debug_file(m);
	}
	m->demangled = xcalloc(m->elf.n_syms ? m->elf.n_syms : 1, sizeof(*m->demangled));
}

static const char *sym_name(struct module *m, const struct elf_sym *sym)
{
	size_t i = (size_t)(sym - m->elf.syms);
	int status = -1;
	char *d;

	if (strncmp(sym->name, "_Z", 2) != 0)
		return sym->name;
	if (!m->demangled[i]) {
		d = __cxa_demangle(sym->name, NULL, NULL, &status);
		m->demangled[i] = status == 0 && d ? d : xstrdup(sym->name);
		if (status != 0)
			free(d);
	}
	return m->demangled[i];
}

/* Name file offset @off in @m. */
static void resolve_in(struct symbolizer *s, struct module *m, uint64_t off, struct sym_frame *out)
{
	const struct elf_sym *sym = NULL;
	uint64_t vaddr;

	module_parse(s, m);
	out->module = m->name;
	out->build_id = m->build_id_hex;
	out->offset = off;
	out->code = elf_syms__offset_is_code(&m->elf, off);
	if (elf_syms__offset_to_vaddr(&m->elf, off, &vaddr))
		sym = elf_syms__lookup(&m->elf, vaddr);
	if (sym) {
		out->name = sym_name(m, sym);
		out->resolved = true;
		return;
	}
	snprintf(s->buf, sizeof(s->buf), "%s+0x%" PRIx64, m->name, off);
	out->name = s->buf;
	out->resolved = false;
}

static void unresolved(struct symbolizer *s, const char *module, uint64_t off,
		       struct sym_frame *out)
{
	snprintf(s->buf, sizeof(s->buf), "%s+0x%" PRIx64, module, off);
	out->name = s->buf;
	out->module = module;
	out->build_id = "";
	out->offset = off;
	out->resolved = false;
	out->code = true;
}

void symbolizer__user_ip(struct symbolizer *s, uint32_t slot, uint64_t ip, struct sym_frame *out)
{
	struct proc_map *pm = slot < s->maps_cap ? &s->maps[slot] : NULL;

	for (size_t i = 0; pm && i < pm->n; i++) {
		const struct map_entry *e = &pm->e[i];

		if (ip >= e->start && ip < e->end) {
			if (e->mod)
				resolve_in(s, e->mod, ip - e->start + e->pgoff, out);
			else
				unresolved(s, "[anon]", ip, out); /* JIT code, or a file we lost */
			return;
		}
	}
	unresolved(s, "[unknown]", ip, out);
	/* outside every executable mapping: not code, if we know the mappings */
	out->code = !(pm && pm->captured);
}

/*
 * A build id no captured mapping explained (the process mapped the file after its
 * mappings were read, and is gone): its separate debug file, found by build id as
 * gdb does, has the symbols and the program headers that turn file offsets into
 * addresses. Remembered either way, so that a miss costs one open.
 */
static struct module *module_by_debug_file(struct symbolizer *s, const unsigned char *id)
{
	char hex[2 * BUILD_ID_MAX + 1], path[160], name[40];
	struct module *m;
	int fd;

	build_id_hex(id, BUILD_ID_MAX, hex);
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", debug_dir(), hex, hex + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(name, sizeof(name), "[build-id %.16s]", hex);
	m = module_add(s, name, fd);
	memcpy(m->build_id, id, BUILD_ID_MAX);
	m->build_id_len = BUILD_ID_MAX;
	memcpy(m->build_id_hex, hex, sizeof(hex));
	if (fd < 0) {
		m->parsed = true; /* nothing to parse: frames stay build id + offset */
		m->demangled = xcalloc(1, sizeof(*m->demangled));
	}
	return m;
}

void symbolizer__user_bid(struct symbolizer *s, uint32_t slot, const struct stack_bid_frame *f,
			  struct sym_frame *out)
{
	char hex[2 * BUILD_ID_MAX + 1];
	struct module *m = NULL;

	if (f->status != 1) {
		/* the kernel could not read the build id (anonymous memory, vDSO, lock busy) */
		symbolizer__user_ip(s, slot, f->offset_or_ip, out);
		return;
	}
	/* the kernel writes 20 bytes; a shorter id is zero-padded */
	for (size_t i = 0; i < s->n_mods && !m; i++)
		if (s->mods[i]->build_id_len &&
		    !memcmp(s->mods[i]->build_id, f->build_id, (size_t)s->mods[i]->build_id_len))
			m = s->mods[i];
	if (!m)
		m = module_by_debug_file(s, f->build_id);
	if (m->fd >= 0 || m->elf.n_syms || m->name[0] != '[') {
		/* a file we know, by its name, resolved or not: "libfoo.so+0x1234" */
		resolve_in(s, m, f->offset_or_ip, out);
		if (out->resolved || m->name[0] != '[')
			return;
	}
	build_id_hex(f->build_id, 8, hex);
	snprintf(s->buf, sizeof(s->buf), "[build-id %s]+0x%llx", hex,
		 (unsigned long long)f->offset_or_ip);
	out->name = s->buf;
	out->module = "[unknown build id]";
	build_id_hex(f->build_id, BUILD_ID_MAX, s->hex);
	out->build_id = s->hex;
	out->offset = f->offset_or_ip;
	out->resolved = false;
	out->code = true; /* a file we cannot read: no way to tell */
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_kallsyms(struct symbolizer *s)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	size_t cap = 0, used = 0, kcap = 0;
	char line[512];

	s->kloaded = true;
	if (!f) {
		pr_warn("cannot read /proc/kallsyms: kernel frames stay addresses");
		return;
	}
	/* two passes would read a 10 MB file twice: grow, and fix the pointers after */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];
		size_t n;

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr ||
		    (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			continue;
		n = strlen(name) + 1;
		if (used + n > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			s->kbuf = xrealloc(s->kbuf, cap);
		}
		if (s->n_ksyms == kcap) {
			kcap = kcap ? kcap * 2 : 65536;
			s->ksyms = xrealloc(s->ksyms, kcap * sizeof(*s->ksyms));
		}
		memcpy(s->kbuf + used, name, n);
		s->ksyms[s->n_ksyms].addr = addr;
		s->ksyms[s->n_ksyms].name = (const char *)(uintptr_t)used; /* offset until done */
		s->n_ksyms++;
		used += n;
	}
	fclose(f);
	for (size_t i = 0; i < s->n_ksyms; i++)
		s->ksyms[i].name = s->kbuf + (uintptr_t)s->ksyms[i].name;
	qsort(s->ksyms, s->n_ksyms, sizeof(*s->ksyms), cmp_ksym);
}

void symbolizer__own_progs(struct symbolizer *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < s->n_own; i++)
		free(s->own[i]);
	free(s->own);
	s->own = xcalloc(n ? n : 1, sizeof(*s->own));
	for (size_t i = 0; i < n; i++)
		s->own[i] = xstrdup(names[i]);
	s->n_own = n;
}

/* "bpf_prog_6deef7357e7b4530_syscalls_enter": one of ours? (names cut at 15 characters) */
static const char *own_prog(const struct symbolizer *s, const char *ksym)
{
	const char *name;

	if (strncmp(ksym, "bpf_prog_", 9) || strlen(ksym) < 9 + 16 + 2 || ksym[9 + 16] != '_')
		return NULL;
	name = ksym + 9 + 16 + 1;
	for (size_t i = 0; i < s->n_own; i++)
		if (!strncmp(s->own[i], name, 15) && strlen(name) == strnlen(s->own[i], 15))
			return s->own[i];
	return NULL;
}

void symbolizer__kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *out)
{
	size_t lo = 0, hi;
	const char *own;

	if (!s->kloaded)
		load_kallsyms(s);
	hi = s->n_ksyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	out->module = "[kernel]";
	out->build_id = "";
	out->offset = ip;
	out->own = false;
	if (lo && ip - s->ksyms[lo - 1].addr < (1 << 20)) {
		out->name = s->ksyms[lo - 1].name;
		out->resolved = true;
		if ((own = own_prog(s, out->name))) {
			snprintf(s->buf, sizeof(s->buf), "procscope:%s", own);
			out->name = s->buf;
			out->module = "[procscope]";
			out->own = true;
		}
		return;
	}
	unresolved(s, "[kernel]", ip, out);
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out)
{
	*out = s->stats;
}
