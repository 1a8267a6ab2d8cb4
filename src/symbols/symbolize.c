// SPDX-License-Identifier: GPL-2.0
/* Frame names: kallsyms, ELF symbol tables by build id, process mappings; see symbolize.h. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "symbols/cfi.h"
#include "symbols/elfsyms.h"
#include "symbols/perfmap.h"
#include "symbols/python.h"
#include "lib/log.h"
#include "symbols/symbolize.h"
#include "lib/untrusted.h"
#include "lib/util.h"

/*
 * libstdc++'s C ABI demangler (C++ names read as C++), opened at the first C++ name:
 * linked, libstdc++ was mapped by every run (0.7 MiB of RSS) for what a C run never
 * needs. NULL if it cannot be: names stay mangled.
 */
typedef char *demangle_fn(const char *mangled, char *buf, size_t *len, int *status);
static demangle_fn *cxa_demangle;
static pthread_once_t demangle_once = PTHREAD_ONCE_INIT;

static void demangle_open(void)
{
	void *h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);

	if (h)
		cxa_demangle = (demangle_fn *)dlsym(h, "__cxa_demangle");
	if (!cxa_demangle)
		pr_warn("C++ names stay mangled: %s", dlerror());
}

#define MODULE_ALIASES 3
#define DEBUG_FILE_MAX ((int64_t)4 << 30) /* a debug link's candidate checked up to this size */

struct module {
	char *name; /* base name, for display */
	char *path; /* as mapped: where its .gnu_debuglink file is looked for */
	char build_id_hex[2 * BUILD_ID_MAX + 1];
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len;
	dev_t dev;
	ino_t ino;
	/*
	 * the same file under other inodes (same build id): an overlay's file, which
	 * procscope opens by path, and the real one underneath, which the kernel maps
	 */
	struct {
		dev_t dev;
		ino_t ino;
	} alias[MODULE_ALIASES];
	int n_alias;
	int fd;		     /* open until its symbols and its call frame information are read */
	uint64_t py_runtime; /* a CPython interpreter: _PyRuntime's address, else 0 */
	uint32_t py_version; /* ... and its PY_VERSION_HEX */
	bool parsed, cfi_read, vdso;
	struct elf_ident ident; /* program headers and debug link, at first sight */
	const void *image;	/* the vDSO: in memory */
	size_t image_size;
	struct elf_syms elf;
	char **demangled; /* parallel to elf.syms, filled on first use */
	uint32_t *funcs;  /* function starts from the call frame information */
	size_t n_funcs;
};

struct proc_map {
	struct sym_mapping *e; /* by address */
	size_t n, cap;
	bool captured;
	bool anon_exec;	    /* an executable mapping of no file (JIT code?) when captured */
	struct perfmap jit; /* names of JIT code, from its /tmp/perf-PID.map */
	uid_t uid;	    /* its user, when last seen (0: not known) */
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
	bool want_cfi;	       /* keep files open for symbolizer__module_cfi() */
	bool no_procmap_query; /* the kernel has no PROCMAP_QUERY: the text of maps */
};

/*
 * Where separate debug files live: PROCSCOPE_DEBUG_DIR, a colon-separated list (as
 * gdb's debug-file-directory), else /usr/lib/debug. The next directory after *@cur
 * into @out; false at the end.
 */
static bool debug_dir_next(const char **cur, char *out, size_t len)
{
	const char *env = getenv("PROCSCOPE_DEBUG_DIR"), *p, *end;

	if (!*cur)
		*cur = env && *env ? env : "/usr/lib/debug";
	p = *cur;
	if (!*p)
		return false;
	end = strchrnul(p, ':');
	snprintf(out, len, "%.*s", (int)(end - p), p);
	*cur = *end ? end + 1 : end;
	return true;
}

/* The debug file of build id @hex, under each debug directory; a descriptor or -1. */
static int open_by_build_id(const char *hex)
{
	char dir[4096], path[4200];
	const char *cur = NULL;
	int fd;

	while (strlen(hex) >= 3 && debug_dir_next(&cur, dir, sizeof(dir))) {
		snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
		fd = open_untrusted(AT_FDCWD, path, 0, UNTRUSTED_ANY_OWNER);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

struct symbolizer *symbolizer__new(void)
{
	return xcalloc(1, sizeof(struct symbolizer));
}

void symbolizer__want_cfi(struct symbolizer *s)
{
	s->want_cfi = true;
}

static void module_free(struct module *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->path);
	free(m->funcs);
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
	for (size_t i = 0; i < s->maps_cap; i++) {
		free(s->maps[i].e);
		perfmap_release(&s->maps[i].jit);
	}
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
	m->path = xstrdup(path);
	m->fd = fd;
	m->cfi_read = !s->want_cfi;
	s->mods = xrealloc(s->mods, sizeof(*s->mods) * (s->n_mods + 1));
	s->mods[s->n_mods++] = m;
	s->stats.modules++;
	return m;
}

/*
 * The module for the file open as @fd (the caller's fd is consumed): found by device
 * and inode, else by build id, else added.
 */
/* The file known by inode @ino on device @dev (or an alias of it), or NULL. */
static struct module *module_by_inode(const struct symbolizer *s, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < s->n_mods; i++) {
		struct module *m = s->mods[i];

		if (m->vdso)
			continue;
		for (int k = -1; k < m->n_alias; k++)
			if ((k < 0 ? m->dev : m->alias[k].dev) == dev &&
			    (k < 0 ? m->ino : m->alias[k].ino) == ino)
				return m;
	}
	return NULL;
}

static struct module *module_of_fd(struct symbolizer *s, int fd, const char *path)
{
	struct elf_ident ident;
	struct module *m;
	struct stat st;
	int len;

	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	if ((m = module_by_inode(s, st.st_dev, st.st_ino))) {
		close(fd);
		return m;
	}
	elf_ident_fd(fd, &ident);
	len = ident.build_id_len;
	for (size_t i = 0; len && i < s->n_mods; i++) {
		m = s->mods[i];
		if (m->build_id_len == len && !memcmp(m->build_id, ident.build_id, (size_t)len)) {
			if (!m->vdso && m->n_alias < MODULE_ALIASES) {
				m->alias[m->n_alias].dev = st.st_dev;
				m->alias[m->n_alias++].ino = st.st_ino;
			}
			close(fd);
			return m;
		}
	}
	m = module_add(s, path, fd);
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->ident = ident;
	m->build_id_len = len;
	memcpy(m->build_id, ident.build_id, (size_t)len);
	build_id_hex(ident.build_id, len, m->build_id_hex);
	if (py_file_name(path) && py_elf_probe(fd, &m->py_runtime, &m->py_version))
		m->py_runtime = 0;
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
	if (size) {
		s->vdso->image = (const void *)base;
		s->vdso->image_size = size;
		elf_syms__load_mem(&s->vdso->elf, s->vdso->image, size);
		elf_ident_mem(s->vdso->image, size, &s->vdso->ident);
	}
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

/* 1-based, as frames carry it; 0 = none */
static uint32_t module_id(const struct symbolizer *s, const struct module *m)
{
	for (size_t i = s->n_mods; m && i-- > 0;)
		if (s->mods[i] == m)
			return (uint32_t)i + 1;
	return 0;
}

static struct module *module_by_id(const struct symbolizer *s, uint32_t id)
{
	return id && id <= s->n_mods ? s->mods[id - 1] : NULL;
}

/*
 * file address = address - bias for a mapping of @m at @start from file offset @pgoff:
 * through the PT_LOAD segment that holds @pgoff (a mapping starts at a page boundary
 * at or below its segment's offset).
 */
static uint64_t mapping_bias(const struct module *m, uint64_t start, uint64_t pgoff)
{
	const struct elf_ident *id = &m->ident;

	for (int i = 0; i < id->n_load; i++) {
		const struct elf_load *l = &id->load[i];
		uint64_t first = l->offset & ~4095ULL;

		if (pgoff >= first && pgoff < l->offset + l->filesz)
			return start - pgoff - (l->vaddr - l->offset);
	}
	return start - pgoff;
}

/* The root directory @pid sees (its container's), as a descriptor to resolve within. */
static int proc_root(uint32_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u/root", pid);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * Is @pid in our pid namespace: 1 or 0; -errno if it is gone. (A link read: cheaper
 * than its status.)
 */
static int same_pid_ns(uint32_t pid)
{
	static char ours[64];
	char path[64], link[64];
	ssize_t n;

	if (!ours[0] && readlink("/proc/self/ns/pid", ours, sizeof(ours) - 1) <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/ns/pid", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return errno == ENOENT || errno == ESRCH ? -errno : 0;
	link[n] = '\0';
	return !strcmp(link, ours);
}

/*
 * The process's pid in its own pid namespace (the last NSpid), which names its perf
 * map; 0 if it is gone.
 */
static uint32_t ns_pid(uint32_t pid)
{
	char path[64], buf[4096], *l;
	unsigned long v = pid;
	int same = same_pid_ns(pid);

	if (same < 0)
		return 0;
	if (same)
		return pid;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (read_file(path, buf, sizeof(buf)) > 0 && (l = strstr(buf, "\nNSpid:"))) {
		char *end = strchr(l + 1, '\n'), *last = NULL;

		if (end)
			*end = '\0';
		for (char *t = strtok(l + 7, " \t"); t; t = strtok(NULL, " \t"))
			last = t;
		if (last)
			v = strtoul(last, NULL, 10);
	}
	return (uint32_t)v;
}

/* The user of process @pid, remembered in @pm for when it is gone (0 if never seen). */
static uid_t proc_uid(struct proc_map *pm, uint32_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	if (!stat(path, &st))
		pm->uid = st.st_uid;
	return pm->uid;
}

int symbolizer__jit(struct symbolizer *s, uint32_t slot, uint32_t pid)
{
	struct proc_map *pm = proc_map_of(s, slot);
	uid_t uid = proc_uid(pm, pid);
	char path[128];
	uint32_t nspid;
	int err, root;

	/* JIT code is anonymous executable memory: none when its mappings were read */
	if (pm->captured && !pm->anon_exec)
		return -ENOENT;

	/*
	 * In the process's own /tmp (a container's: resolved within its root), else ours
	 * (a process that exited); the file its user's or root's, and no symlink
	 */
	nspid = ns_pid(pid);
	err = -ENOENT;
	if (nspid && (root = proc_root(pid)) >= 0) {
		snprintf(path, sizeof(path), "/tmp/perf-%u.map", nspid);
		err = perfmap_load(&pm->jit, root, path, uid);
		close(root);
	}
	if (err == -ENOENT) {
		snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
		err = perfmap_load(&pm->jit, AT_FDCWD, path, uid);
	}
	if (!err)
		pr_debug("perf map of pid %u (slot %u): %zu symbols", pid, slot, pm->jit.n);
	else if (err != -ENOENT)
		pr_debug("perf map of pid %u refused: %s", pid, strerror(-err));
	return err;
}

/*
 * PROCMAP_QUERY (Linux 6.11): one executable mapping of a process at a time, without
 * the text of /proc/PID/maps to format and parse (the layout is the kernel's ABI,
 * include/uapi/linux/fs.h).
 */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

/* An executable mapping of @pid, as a mapping of @pm: its file found or opened. */
static void capture_one(struct symbolizer *s, struct proc_map *pm, uint32_t pid,
			const struct procmap_query *q, const char *file)
{
	unsigned long start = q->vma_start, end = q->vma_end, pgoff = q->vma_offset;
	struct module *m = NULL;
	char mf[128];
	int fd;

	if (!strcmp(file, "[vdso]")) {
		m = vdso_module(s);
		pgoff = 0;
	} else if (q->inode &&
		   (m = module_by_inode(s, makedev(q->dev_major, q->dev_minor), q->inode))) {
		/* a file known by the inode the kernel maps: nothing to open */
	} else if (file[0] == '/') {
		/* the mapped file itself: deleted, replaced, memfd or in another namespace */
		snprintf(mf, sizeof(mf), "/proc/%u/map_files/%lx-%lx", pid, start, end);
		fd = open_untrusted(AT_FDCWD, mf, 0, UNTRUSTED_ANY_OWNER);
		if (fd < 0) {
			/* by its path, as the process sees it: within its root */
			int root = proc_root(pid);

			fd = root < 0 ? -1 : open_untrusted(root, file, 0, UNTRUSTED_ANY_OWNER);
			if (root >= 0)
				close(root);
		}
		if (fd >= 0)
			m = module_of_fd(s, fd, file);
	} else if (!q->inode) {
		pm->anon_exec = true; /* JIT code, perhaps: its perf map is worth a look */
	}
	/* kept without a module: still executable, so frames in it are code */
	if (pm->n == pm->cap) {
		pm->cap = pm->cap ? pm->cap * 2 : 16;
		pm->e = xrealloc(pm->e, pm->cap * sizeof(*pm->e));
	}
	pm->e[pm->n++] = (struct sym_mapping){
		start, end, pgoff, m ? mapping_bias(m, start, pgoff) : 0, module_id(s, m)};
}

/* Mappings by PROCMAP_QUERY on @fd (the process's maps): 0, or -ENOTTY if unsupported. */
static int capture_query(struct symbolizer *s, struct proc_map *pm, uint32_t pid, int fd)
{
	char file[4096];

	for (uint64_t addr = 0;;) {
		struct procmap_query q = {
			.size = sizeof(q),
			.query_flags =
				PROCMAP_QUERY_VMA_EXECUTABLE | PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
			.query_addr = addr,
		};

		if (ioctl(fd, PROCMAP_QUERY, &q))
			return errno == ENOENT ? 0 : errno == ESRCH ? -ESRCH : -ENOTTY;
		addr = q.vma_end;
		file[0] = '\0';
		/* a file known by its inode needs no name: the kernel is spared its path */
		if (!q.inode || !module_by_inode(s, makedev(q.dev_major, q.dev_minor), q.inode)) {
			q.query_flags = PROCMAP_QUERY_VMA_EXECUTABLE;
			q.query_addr = q.vma_start;
			q.vma_name_size = sizeof(file);
			q.vma_name_addr = (uint64_t)(uintptr_t)file;
			if (ioctl(fd, PROCMAP_QUERY, &q))
				file[0] = '\0';
		}
		capture_one(s, pm, pid, &q, file);
	}
}

/* Mappings from the text of /proc/PID/maps, on @f. */
static void capture_text(struct symbolizer *s, struct proc_map *pm, uint32_t pid, FILE *f)
{
	char line[4608], file[4096];

	while (fgets(line, sizeof(line), f)) {
		struct procmap_query q = {0};
		unsigned long start, end, pgoff, ino;
		unsigned int major, minor;
		char perms[8];

		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %4095[^\n]", &start, &end, perms,
			   &pgoff, &major, &minor, &ino, file) < 7 ||
		    !strchr(perms, 'x'))
			continue;
		q.vma_start = start;
		q.vma_end = end;
		q.vma_offset = pgoff;
		q.dev_major = major;
		q.dev_minor = minor;
		q.inode = ino;
		capture_one(s, pm, pid, &q, file);
	}
}

int symbolizer__capture(struct symbolizer *s, uint32_t slot, uint32_t pid)
{
	struct proc_map *pm = proc_map_of(s, slot);
	char path[64];
	int err = -ENOTTY;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		s->stats.capture_misses++;
		return -errno;
	}
	pm->n = 0;
	pm->anon_exec = false;
	if (!s->no_procmap_query) {
		err = capture_query(s, pm, pid, fileno(f));
		if (err == -ENOTTY) {
			s->no_procmap_query = true; /* before 6.11: the text from now on */
			pm->n = 0;
			pm->anon_exec = false;
		}
	}
	if (err == -ENOTTY)
		capture_text(s, pm, pid, f);
	fclose(f);
	pm->captured = true;
	s->stats.captures++;
	symbolizer__jit(s, slot, pid);
	pr_debug("mappings of pid %u (slot %u): %zu executable, %zu files known", pid, slot, pm->n,
		 s->n_mods);
	for (size_t i = 0; i < pm->n; i++) {
		struct module *m = module_by_id(s, pm->e[i].module);

		pr_debug("  %lx-%lx %s %s", (unsigned long)pm->e[i].start,
			 (unsigned long)pm->e[i].end, m ? m->name : "[anon]",
			 m ? m->build_id_hex : "");
	}
	return 0;
}

void symbolizer__forget(struct symbolizer *s, uint32_t slot)
{
	struct proc_map *pm = slot < s->maps_cap ? &s->maps[slot] : NULL;

	if (!pm)
		return;
	pm->n = 0;
	pm->captured = false;
	pm->anon_exec = false;
	perfmap_release(&pm->jit);
}

const struct sym_mapping *symbolizer__mappings(struct symbolizer *s, uint32_t slot, size_t *n)
{
	struct proc_map *pm = slot < s->maps_cap ? &s->maps[slot] : NULL;

	*n = pm && pm->captured ? pm->n : 0;
	return *n ? pm->e : NULL;
}

uint32_t symbolizer__file(struct symbolizer *s, const char *open_path, const char *path)
{
	int fd = open_untrusted(AT_FDCWD, open_path, 0, UNTRUSTED_ANY_OWNER);

	return fd < 0 ? 0 : module_id(s, module_of_fd(s, fd, path));
}

int symbolizer__exe(struct symbolizer *s, uint32_t pid)
{
	char path[64], target[4096];
	ssize_t n;
	int fd;

	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	/* a program seen before: known by its inode, nothing to open */
	if (!stat(path, &st) && module_by_inode(s, st.st_dev, st.st_ino))
		return 0;
	fd = open_untrusted(AT_FDCWD, path, 0, UNTRUSTED_ANY_OWNER);
	if (fd < 0)
		return fd;
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	return module_of_fd(s, fd, n > 0 ? target : "[exe]") ? 0 : -EINVAL;
}

/* Does the file open as @fd have CRC-32 @crc, as .gnu_debuglink records it? */
static bool crc_matches(int fd, uint32_t crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0L, Z_NULL, 0);
	int64_t size = file_size(fd);
	off_t off = 0;
	ssize_t n = 0;

	/* as large as it was when opened, at most (a file that grows is read no further) */
	if (size < 0 || size > DEBUG_FILE_MAX)
		return false;
	while (off < size &&
	       (n = pread(fd, buf,
			  (size_t)(size - off) < sizeof(buf) ? (size_t)(size - off) : sizeof(buf),
			  off)) > 0) {
		c = crc32(c, buf, (uInt)n);
		off += n;
	}
	return off == size && (uint32_t)c == crc;
}

/*
 * The separate debug file of @m, as gdb finds it: by build id
 * (/usr/lib/debug/.build-id/xx/yyyy.debug), else by the name and CRC in its
 * .gnu_debuglink, in DIR, DIR/.debug and /usr/lib/debug/DIR (DIR: where the file
 * is). An open descriptor, or -1.
 */
static int debug_file_open(const struct module *m)
{
	char path[8500], dir[4096], ddir[4096];
	const char *slash, *cur = NULL;
	int fd = open_by_build_id(m->build_id_hex);

	if (fd >= 0)
		return fd;
	if (!m->ident.debuglink[0] || !m->path || !(slash = strrchr(m->path, '/')))
		return -1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - m->path), m->path);
	/* DIR and DIR/.debug first, then each debug directory + DIR */
	for (int i = 0; i < 2 || debug_dir_next(&cur, ddir, sizeof(ddir)); i++) {
		if (i < 2)
			snprintf(path, sizeof(path), "%s%s/%s", dir, i == 1 ? "/.debug" : "",
				 m->ident.debuglink);
		else
			snprintf(path, sizeof(path), "%s%s/%s", ddir, dir, m->ident.debuglink);
		fd = open_untrusted(AT_FDCWD, path, 0, UNTRUSTED_ANY_OWNER);
		if (fd < 0)
			continue;
		if (crc_matches(fd, m->ident.debuglink_crc))
			return fd;
		close(fd); /* another build's, or the file itself */
	}
	return -1;
}

/*
 * A file stripped of .symtab (Debian's libc, for one) may have its full symbol table
 * in a separate debug file (debug_file_open). Its symbols replace .dynsym's; the
 * segment layout stays the binary's own.
 */
static void load_debug_file(struct module *m)
{
	struct elf_syms dbg;
	int fd;

	if (m->elf.from_symtab)
		return;
	fd = debug_file_open(m);
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
		if (m->cfi_read) {
			close(m->fd);
			m->fd = -1;
		}
		load_debug_file(m);
	}
	m->demangled = xcalloc(m->elf.n_syms ? m->elf.n_syms : 1, sizeof(*m->demangled));
}

bool symbolizer__module_inode(const struct symbolizer *s, uint32_t id, int k, uint64_t *ino,
			      uint32_t *kdev, int64_t *text_delta)
{
	const struct module *m = module_by_id(s, id);
	dev_t dev;

	if (!m || m->vdso || !m->ino || k > m->n_alias)
		return false;
	*ino = k ? m->alias[k - 1].ino : m->ino;
	dev = k ? m->alias[k - 1].dev : m->dev;
	*kdev = (uint32_t)(major(dev) << 20 | minor(dev));
	*text_delta = 0;
	for (int i = 0; i < m->ident.n_load; i++) {
		if (m->ident.load[i].exec) {
			*text_delta = (int64_t)(m->ident.load[i].vaddr - m->ident.load[i].offset);
			break;
		}
	}
	return true;
}

bool symbolizer__module_python(struct symbolizer *s, uint32_t id, uint64_t *runtime,
			       uint32_t *version)
{
	const struct module *m = module_by_id(s, id);

	if (!m || !m->py_runtime)
		return false;
	*runtime = m->py_runtime;
	*version = m->py_version;
	return true;
}

int symbolizer__module_cfi(struct symbolizer *s, uint32_t id, struct cfi_rows *out)
{
	struct module *m = module_by_id(s, id);
	int err = -ENOENT, fd;

	if (!m || m->cfi_read)
		return -ENOENT;
	m->cfi_read = true;
	if (m->image)
		err = cfi_rows_from_mem(out, m->image, m->image_size);
	else if (m->fd >= 0)
		err = cfi_rows_from_fd(out, m->fd);
	/* no .eh_frame: a separate debug file's .debug_frame, at the same addresses */
	if (err == -ENOENT && !m->image && (fd = debug_file_open(m)) >= 0) {
		err = cfi_rows_from_fd(out, fd);
		close(fd);
	}
	if (m->parsed && m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	/* the symbolizer keeps where functions start, to name code without symbols */
	m->funcs = out->funcs;
	m->n_funcs = out->n_funcs;
	out->funcs = NULL;
	out->n_funcs = out->funcs_cap = 0;
	return err;
}

static const char *sym_name(struct module *m, const struct elf_sym *sym)
{
	size_t i = (size_t)(sym - m->elf.syms);
	int status = -1;
	char *d;

	if (strncmp(sym->name, "_Z", 2) != 0)
		return sym->name;
	if (!m->demangled[i]) {
		pthread_once(&demangle_once, demangle_open);
		d = cxa_demangle ? cxa_demangle(sym->name, NULL, NULL, &status) : NULL;
		m->demangled[i] = status == 0 && d ? d : xstrdup(sym->name);
		if (status != 0)
			free(d);
	}
	return m->demangled[i];
}

/* The file offset of file address @vaddr in @m (for pprof and folded output), or @vaddr. */
static uint64_t vaddr_to_offset(const struct module *m, uint64_t vaddr)
{
	for (int i = 0; i < m->ident.n_load; i++) {
		const struct elf_load *l = &m->ident.load[i];

		if (vaddr >= l->vaddr && vaddr < l->vaddr + l->filesz)
			return vaddr - l->vaddr + l->offset;
	}
	return vaddr;
}

/*
 * A frame no symbol names: "module+0xOFFSET", the offset of the start of its function
 * where the call frame information tells it (every sample of one function then makes
 * one flame graph node), else of the frame itself. @vaddr is UINT64_MAX if unknown.
 */
static void unnamed(struct symbolizer *s, const struct module *m, uint64_t vaddr, uint64_t off,
		    struct sym_frame *out)
{
	uint32_t start = vaddr != UINT64_MAX ? cfi_func_start(m->funcs, m->n_funcs, vaddr) : 0;

	if (start && vaddr - start < (1 << 20))
		off = vaddr_to_offset(m, start);
	snprintf(s->buf, sizeof(s->buf), "%s+0x%" PRIx64, m->name, off);
	out->name = s->buf;
	out->resolved = false;
}

/* Name file offset @off in @m. */
static void resolve_in(struct symbolizer *s, struct module *m, uint64_t off, struct sym_frame *out)
{
	const struct elf_sym *sym = NULL;
	uint64_t vaddr = 0;
	bool vaddr_ok;

	module_parse(s, m);
	out->module = m->name;
	out->build_id = m->build_id_hex;
	out->offset = off;
	out->code = elf_syms__offset_is_code(&m->elf, off);
	vaddr_ok = elf_syms__offset_to_vaddr(&m->elf, off, &vaddr);
	if (vaddr_ok)
		sym = elf_syms__lookup(&m->elf, vaddr);
	if (sym) {
		out->name = sym_name(m, sym);
		out->resolved = true;
		return;
	}
	unnamed(s, m, vaddr_ok ? vaddr : UINT64_MAX, off, out);
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

void symbolizer__user_file(struct symbolizer *s, uint32_t id, uint64_t vaddr, struct sym_frame *out)
{
	struct module *m = module_by_id(s, id);
	const struct elf_sym *sym;

	if (!m) {
		unresolved(s, "[unknown]", vaddr, out);
		return;
	}
	module_parse(s, m);
	out->module = m->name;
	out->build_id = m->build_id_hex;
	out->offset = vaddr_to_offset(m, vaddr);
	out->code = true; /* the unwinder found it in an executable mapping */
	sym = elf_syms__lookup(&m->elf, vaddr);
	if (sym) {
		out->name = sym_name(m, sym);
		out->resolved = true;
		return;
	}
	unnamed(s, m, vaddr, out->offset, out);
}

/* JIT code named by the process's perf map: module "[jit]". */
static bool jit_name(struct symbolizer *s, const struct proc_map *pm, uint64_t ip,
		     struct sym_frame *out)
{
	const char *name = pm ? perfmap_lookup(&pm->jit, ip) : NULL;

	if (!name)
		return false;
	snprintf(s->buf, sizeof(s->buf), "%s", name);
	out->name = s->buf;
	out->module = "[jit]";
	out->build_id = "";
	out->offset = ip;
	out->resolved = true;
	out->code = true;
	return true;
}

void symbolizer__user_ip(struct symbolizer *s, uint32_t slot, uint64_t ip, struct sym_frame *out)
{
	struct proc_map *pm = slot < s->maps_cap ? &s->maps[slot] : NULL;

	for (size_t i = 0; pm && i < pm->n; i++) {
		const struct sym_mapping *e = &pm->e[i];
		struct module *m = module_by_id(s, e->module);

		if (ip >= e->start && ip < e->end) {
			if (m)
				resolve_in(s, m, ip - e->start + e->pgoff, out);
			else if (!jit_name(s, pm, ip, out))
				unresolved(s, "[anon]", ip, out); /* JIT code, or a file we lost */
			return;
		}
	}
	if (jit_name(s, pm, ip, out))
		return; /* JIT code mapped since the mappings were read */
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
	char hex[2 * BUILD_ID_MAX + 1], name[40];
	struct module *m;
	int fd;

	build_id_hex(id, BUILD_ID_MAX, hex);
	fd = open_by_build_id(hex);
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

void symbolizer__user_bid(struct symbolizer *s, uint32_t slot, bool have_id,
			  const unsigned char *build_id, uint64_t offset_or_ip,
			  struct sym_frame *out)
{
	char hex[2 * BUILD_ID_MAX + 1];
	struct module *m = NULL;

	if (!have_id) {
		/* the kernel could not read the build id (anonymous memory, vDSO, lock busy) */
		symbolizer__user_ip(s, slot, offset_or_ip, out);
		return;
	}
	/* the kernel writes 20 bytes; a shorter id is zero-padded */
	for (size_t i = 0; i < s->n_mods && !m; i++)
		if (s->mods[i]->build_id_len &&
		    !memcmp(s->mods[i]->build_id, build_id, (size_t)s->mods[i]->build_id_len))
			m = s->mods[i];
	if (!m)
		m = module_by_debug_file(s, build_id);
	if (m->fd >= 0 || m->elf.n_syms || m->name[0] != '[') {
		/* a file we know, by its name, resolved or not: "libfoo.so+0x1234" */
		resolve_in(s, m, offset_or_ip, out);
		if (out->resolved || m->name[0] != '[')
			return;
	}
	build_id_hex(build_id, 8, hex);
	snprintf(s->buf, sizeof(s->buf), "[build-id %s]+0x%llx", hex,
		 (unsigned long long)offset_or_ip);
	out->name = s->buf;
	out->module = "[unknown build id]";
	build_id_hex(build_id, BUILD_ID_MAX, s->hex);
	out->build_id = s->hex;
	out->offset = offset_or_ip;
	out->resolved = false;
	out->code = true; /* a file we cannot read: no way to tell */
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* One line of kallsyms, "ffffffff81000000 T _stext\t[module]": a text symbol kept. */
static void ksym_line(struct symbolizer *s, const char *p, const char *end, size_t *cap,
		      size_t *kcap, size_t *used)
{
	uint64_t addr;
	const char *name;
	size_t n;
	char type;

	if (!hex_field(&p, end, &addr) || end - p < 3 || p[1] != ' ' || !addr)
		return;
	type = p[0];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return;
	name = p + 2;
	for (n = 0; name + n < end && name[n] != ' ' && name[n] != '\t'; n++)
		;
	if (!n)
		return;
	if (n > 255)
		n = 255;
	if (*used + n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 4 << 20;
		s->kbuf = xrealloc(s->kbuf, *cap);
	}
	if (s->n_ksyms == *kcap) {
		*kcap = *kcap ? *kcap * 2 : 1 << 17;
		s->ksyms = xrealloc(s->ksyms, *kcap * sizeof(*s->ksyms));
	}
	memcpy(s->kbuf + *used, name, n);
	s->kbuf[*used + n] = '\0';
	s->ksyms[s->n_ksyms].addr = addr;
	s->ksyms[s->n_ksyms].name = (const char *)(uintptr_t)*used; /* offset until done */
	s->n_ksyms++;
	*used += n + 1;
}

/*
 * The text symbols of @path (kallsyms's format), sorted by address. The file is 5 MB of
 * 120,000 lines, made as it is read: read in large chunks and parsed here, where stdio
 * and sscanf doubled what the kernel takes to make it (50 ms against 23 here).
 */
static void load_kallsyms_from(struct symbolizer *s, const char *path)
{
	enum { CHUNK = 1 << 20, LINE = 512 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 0, kcap = 0, used = 0, have = 0;
	bool sorted = true;
	char *buf;

	s->kloaded = true;
	if (fd < 0) {
		pr_warn("cannot read %s: kernel frames stay addresses", path);
		return;
	}
	buf = xmalloc(CHUNK + LINE);
	for (;;) {
		ssize_t got = read(fd, buf + have, CHUNK);
		char *p = buf, *end, *nl;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (have) /* the last line, without its newline */
				ksym_line(s, buf, buf + have, &cap, &kcap, &used);
			break;
		}
		end = buf + have + got;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			ksym_line(s, p, nl, &cap, &kcap, &used);
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have > LINE) /* no line is that long: not kallsyms */
			have = 0;
		memmove(buf, p, have);
	}
	free(buf);
	close(fd);
	for (size_t i = 0; i < s->n_ksyms; i++) {
		s->ksyms[i].name = s->kbuf + (uintptr_t)s->ksyms[i].name;
		if (i && s->ksyms[i].addr < s->ksyms[i - 1].addr)
			sorted = false;
	}
	if (!sorted) /* the kernel's own are in order; modules' and BPF's may not be */
		qsort(s->ksyms, s->n_ksyms, sizeof(*s->ksyms), cmp_ksym);
}

void symbolizer__kallsyms_from(struct symbolizer *s, const char *path)
{
	free(s->ksyms);
	free(s->kbuf);
	s->ksyms = NULL;
	s->kbuf = NULL;
	s->n_ksyms = 0;
	load_kallsyms_from(s, path);
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
		load_kallsyms_from(s, "/proc/kallsyms");
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
