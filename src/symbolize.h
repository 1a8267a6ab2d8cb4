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

/* Read the mappings (and open the files) of process @pid, slot @slot. 0 or -errno. */
int symbolizer__capture(struct symbolizer *s, uint32_t slot, uint32_t pid);
/* Register the executable of @pid (just exec'd) so its build id resolves later. */
int symbolizer__exe(struct symbolizer *s, uint32_t pid);

/*
 * procscope's own BPF programs, by name: their kernel frames (bpf_prog_TAG_NAME in
 * kallsyms) are named "procscope:NAME", in module "[procscope]" -- its overhead.
 */
void symbolizer__own_progs(struct symbolizer *s, const char *const *names, size_t n);
/* The frame's name is valid until the next call; copy it. */
void symbolizer__kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *out);
void symbolizer__user_bid(struct symbolizer *s, uint32_t slot, const struct stack_bid_frame *f,
			  struct sym_frame *out);
void symbolizer__user_ip(struct symbolizer *s, uint32_t slot, uint64_t ip, struct sym_frame *out);

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
