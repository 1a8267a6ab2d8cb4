/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for stack frames. Kernel addresses through /proc/kallsyms (BPF programs are
 * there too). User frames arrive as build id + file offset (on-CPU samples: the kernel
 * resolved them while the process ran) or as addresses (off-CPU stacks, and samples
 * the kernel could not resolve), which need the process's mappings.
 *
 * Mappings and files are captured while the process lives — when it execs and when
 * it first has a stack — through /proc/PID/map_files, which opens the very file
 * mapped even if it was deleted or replaced, lives in another mount namespace, or is
 * a memfd. Files are cached by build id (or device and inode), and their symbol
 * tables parsed once, at the first frame that needs them: a hundred runs of cc1 cost
 * one parse. A file stripped of .symtab gets its symbols from a separate debug file
 * found by build id (/usr/lib/debug/.build-id/xx/yyyy.debug), when installed. A frame
 * that cannot be named is "module+0xoffset", never dropped.
 */
#ifndef PROCSCOPE_SYMBOLIZE_H
#define PROCSCOPE_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "stacks_abi.h"

struct symbolizer;

struct sym_frame {
	const char *name;     /* function, or "module+0x1234" when unresolved */
	const char *module;   /* file name ("libc.so.6"), "[kernel]", "[vdso]", or a build id */
	const char *build_id; /* hex, "" if unknown */
	uint64_t offset;      /* file offset (user) or address (kernel) */
	bool resolved;
	bool code; /* user: the address is in executable code (or cannot be checked) */
	bool own;  /* kernel: one of procscope's own BPF programs ("procscope:NAME") */
};

struct symbolizer_stats {
	uint64_t captures;	 /* processes whose mappings were read */
	uint64_t capture_misses; /* ... that were gone before we could */
	uint64_t modules;	 /* distinct files */
	uint64_t parses;	 /* symbol tables parsed */
};

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s);
/* Files will be asked for their call frame information: keep them open until then. */
void symbolizer__want_cfi(struct symbolizer *s);

/* Read the mappings (and open the files) of process @pid, slot @slot. 0 or -errno. */
int symbolizer__capture(struct symbolizer *s, uint32_t slot, uint32_t pid);

/* An executable mapping of a captured process. */
struct sym_mapping {
	uint64_t start, end, pgoff;
	uint64_t bias;	 /* file address = address - bias */
	uint32_t module; /* module id (1-based), 0: anonymous memory or a file not readable */
};

/* The executable mappings of @slot at its last capture, by address; NULL if none. */
const struct sym_mapping *symbolizer__mappings(struct symbolizer *s, uint32_t slot, size_t *n);
struct cfi_rows;
/*
 * The call frame rows of module @id (its .eh_frame, else its separate debug file's
 * .debug_frame), into @out: once per module (later calls say -ENOENT). 0 or -errno.
 */
int symbolizer__module_cfi(struct symbolizer *s, uint32_t id, struct cfi_rows *out);
/*
 * Is module @id a CPython interpreter (3.11 or later)? Its _PyRuntime's address in the
 * file (*@runtime) and its PY_VERSION_HEX (*@version).
 */
bool symbolizer__module_python(struct symbolizer *s, uint32_t id, uint64_t *runtime,
			       uint32_t *version);
/*
 * Module @id's inode number @k (0: the first it was found under; then others with its
 * build id -- an overlay's and the real file's), in the kernel's terms (dev_t as
 * major << 20 | minor), and its code segment's p_vaddr - p_offset. false past the
 * last, for the vDSO and unknown ids.
 */
bool symbolizer__module_inode(const struct symbolizer *s, uint32_t id, int k, uint64_t *ino,
			      uint32_t *kdev, int64_t *text_delta);
/*
 * Read the perf map of @pid (slot @slot), /tmp/perf-PID.map, which names the code a
 * JIT generated (node --perf-basic-prof, python -X perf, JVM agents); kept after the
 * process exits. 0, or -errno (-ENOENT: it writes none, or its mappings, when read,
 * had no anonymous executable memory for a JIT to write code in). Capturing reads it
 * too.
 */
int symbolizer__jit(struct symbolizer *s, uint32_t slot, uint32_t pid);
/* Slot @slot was recycled (recycle.h): what was read of its process is let go. */
void symbolizer__forget(struct symbolizer *s, uint32_t slot);
/*
 * The module of the file opened at @open_path (a /proc/PID/map_files link: the very
 * file mapped), named @path; or 0 if unreadable.
 */
uint32_t symbolizer__file(struct symbolizer *s, const char *open_path, const char *path);
/* Register the executable of @pid (just exec'd) so its build id resolves later. */
int symbolizer__exe(struct symbolizer *s, uint32_t pid);

/* Kernel symbols from @path, in kallsyms's format, instead of /proc/kallsyms (tests). */
void symbolizer__kallsyms_from(struct symbolizer *s, const char *path);
/*
 * procscope's own BPF programs, by name: their kernel frames (bpf_prog_TAG_NAME in
 * kallsyms) are named "procscope:NAME", in module "[procscope]" -- its overhead.
 */
void symbolizer__own_progs(struct symbolizer *s, const char *const *names, size_t n);
/* The frame's name is valid until the next call; copy it. */
void symbolizer__kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *out);
/*
 * A frame the kernel's stack map gave as a build id and file offset (@have_id), or, when
 * it could not read the build id, as an address (@offset_or_ip).
 */
void symbolizer__user_bid(struct symbolizer *s, uint32_t slot, bool have_id,
			  const unsigned char *build_id, uint64_t offset_or_ip,
			  struct sym_frame *out);
void symbolizer__user_ip(struct symbolizer *s, uint32_t slot, uint64_t ip, struct sym_frame *out);
/* A frame the BPF unwinder placed: file address @vaddr in module @id. */
void symbolizer__user_file(struct symbolizer *s, uint32_t id, uint64_t vaddr,
			   struct sym_frame *out);

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
