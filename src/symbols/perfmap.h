/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Perf map files (/tmp/perf-PID.map): the names of code a JIT compiler or an
 * interpreter generated, one line per symbol, "START SIZE NAME" with START and SIZE
 * in hex -- written by node --perf-basic-prof, Python 3.12's -X perf, the JVM's
 * perf-map agents. A later line wins over an earlier one for the same address (the
 * code was moved or replaced).
 */
#ifndef PROCSCOPE_PERFMAP_H
#define PROCSCOPE_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PERFMAP_MAX_BYTES (256u << 20) /* a file beyond is read this far */

struct perfmap_sym {
	uint64_t start, end;
	uint32_t name;	/* offset into perfmap.names */
	uint32_t order; /* line number: the later line wins */
};

struct perfmap {
	struct perfmap_sym *syms; /* by start, then by line */
	size_t n;
	char *names;
	size_t names_len;
};

/* Parse @len bytes of a perf map into @m (replacing what it held); malformed lines are skipped. */
void perfmap_parse(struct perfmap *m, const char *text, size_t len);
/*
 * Read the perf map at @path, resolved within @root (lib/untrusted.h), as perf does: a
 * regular file owned by @owner (the process's user) or root, not a symlink; 0, or
 * -errno (the file is absent: -ENOENT; refused: -EINVAL, -EPERM, -ELOOP).
 */
int perfmap_load(struct perfmap *m, int root, const char *path, uid_t owner);
/* The name of the code at @ip, or NULL. */
const char *perfmap_lookup(const struct perfmap *m, uint64_t ip);
void perfmap_release(struct perfmap *m);

#endif
