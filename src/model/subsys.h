/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subsystems, in one table (subsys.c): their names (CLI --no-NAME and --only,
 * JSON "subsystems"), help, the BPF programs each loads, the tracepoints that some
 * kernels lack with what happens without them, and the maps only a subsystem uses.
 * The CLI, --help, the error lists, the session's autoload, --check and the tests'
 * program lists all come from here. docs/design.md says how to add a subsystem.
 */
#ifndef PROCSCOPE_SUBSYS_H
#define PROCSCOPE_SUBSYS_H

#include <stdbool.h>
#include <stddef.h>

/* Subsystem bits; each one is loaded only when on. */
enum subsys {
	SUB_SCHED = 1 << 0,
	SUB_SYSCALLS = 1 << 1,
	SUB_IO = 1 << 2,
	SUB_NET = 1 << 3,
	SUB_MEM = 1 << 4,
	SUB_PROFILE = 1 << 5, /* on-CPU stack sampling */
	SUB_OFFCPU = 1 << 6,  /* off-CPU stacks: not in the defaults (a stack per block) */
};
#define SUB_DEFAULT (SUB_SCHED | SUB_SYSCALLS | SUB_IO | SUB_NET | SUB_MEM | SUB_PROFILE)
#define SUB_ALL (SUB_DEFAULT | SUB_OFFCPU)
#define SUB_STACKS (SUB_PROFILE | SUB_OFFCPU)

struct subsys_prog {
	const char *name;    /* the BPF program */
	unsigned int also;   /* other subsystems that need it too (enum subsys) */
	const char *tp;	     /* its tracepoint, when a kernel may lack it; NULL if always there */
	const char *since;   /* ... the kernel version that brought it */
	const char *without; /* ... and what procscope does without it */
	/* a fallback: loaded only when this program is off on the kernel (else never) */
	const char *instead_of;
};

struct subsys_desc {
	const char *name;		 /* "sched"; "core" for what always loads */
	unsigned int bit;		 /* enum subsys; 0 for core */
	bool on_by_default;		 /* --no-NAME turns it off; else --NAME turns it on */
	const char *help;		 /* the option's help */
	const char *map_prefix;		 /* maps only it uses (not created when off), or NULL */
	unsigned int needs;		 /* subsystems it cannot work without */
	const struct subsys_prog *progs; /* ends with {NULL} */
};

/* Every subsystem, core first; ends with {NULL}. */
extern const struct subsys_desc subsystems[];

/* "sched", "syscalls", ...; "?" for an unknown bit. */
const char *subsys_name(unsigned int bit);
/* Comma-separated names into a mask; -1 (and @bad set) on an unknown one. */
int subsys_parse(const char *list, unsigned int *mask, char *bad, size_t bad_len);
/* "sched, syscalls, io, net, mem, profile, offcpu": the names users can give. */
const char *subsys_list(void);
/* Does @prog load when the subsystems in @mask are on? */
bool subsys_prog_wanted(const struct subsys_desc *d, const struct subsys_prog *p,
			unsigned int mask);
/* The subsystem (and entry) program @name belongs to, or NULL. */
const struct subsys_desc *subsys_of_prog(const char *name, const struct subsys_prog **prog);

#endif
