/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the run says of itself: the kernel it ran on (what loaded, what could not and
 * what procscope did instead) and procscope's own costs and losses. The kernel layer
 * fills them; every report carries them.
 */
#ifndef PROCSCOPE_SELF_H
#define PROCSCOPE_SELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"

/* The user-stack unwinder's tables (src/kernel/unwind.c). */
struct unwind_stats {
	uint64_t loads;	      /* processes whose mappings were (re)read */
	uint64_t load_misses; /* ... that were gone */
	uint64_t files;	      /* files with rows */
	uint64_t files_none;  /* files without call frame information */
	uint64_t files_full;  /* files left without rows: the rows array was full */
	uint64_t rows;	      /* rows in use, of rows_cap */
	uint64_t maps_full;   /* processes whose mappings did not fit */
	uint64_t parse_ns;    /* time spent reading call frame information */
	uint64_t py_procs;    /* Python processes whose frames are walked */
	uint32_t py_unknown;  /* a CPython version met with no layout known (PY_VERSION_HEX) */
};

#define KERNEL_NOTES_MAX 16

enum kernel_note_kind {
	KNOTE_NO_TRACEPOINT =
		1,	     /* the kernel lacks a tracepoint: measured otherwise, or left out */
	KNOTE_REJECTED = 2,  /* the kernel refused a program: it, or its subsystem, is off */
	KNOTE_NO_HELPER = 3, /* the kernel lacks a BPF helper: done otherwise */
};

/* What this kernel could not do, and what procscope does instead. */
struct kernel_note {
	int kind; /* enum kernel_note_kind */
	char subsys[16];
	char prog[32];
	char tracepoint[48]; /* KNOTE_NO_TRACEPOINT (or _HELPER): the one missing ... */
	char since[16];	     /* ... and the Linux version that brought it */
	char effect[160];    /* what is measured differently, or left out */
	char reason[200];    /* KNOTE_REJECTED: the verifier's (or libbpf's) words */
};

struct kernel_info {
	char release[65];    /* uname -r */
	unsigned int subsys; /* the subsystems that loaded (enum subsys) */
	bool unwind_cfi;     /* user stacks walked with unwind tables, not frame pointers */
	size_t n_notes;
	struct kernel_note notes[KERNEL_NOTES_MAX];
};

/* procscope's own costs and losses. */
struct self_stats {
	uint64_t stats[STAT_N];	       /* BPF-side loss counters, summed over CPUs */
	int bpf_stats;		       /* enum bpf_stats_mode */
	uint64_t bpf_sampled_ns;       /* run time while BPF_ENABLE_STATS was on */
	uint64_t bpf_sampled_cnt;      /* program runs while it was on */
	double bpf_coverage;	       /* share of the run it was on */
	uint64_t bpf_run_ns;	       /* estimated total run time: sampled / coverage */
	uint64_t bpf_run_cnt;	       /* estimated total runs */
	uint64_t bpf_recursion_misses; /* program runs the kernel skipped (lost events) */
	uint64_t startup_ns;	       /* procscope start to attached */
	uint64_t attach_ns;	       /* load + attach */
	uint64_t rss_peak_bytes;
	uint64_t cpu_ns; /* procscope's user + system CPU time */
	uint32_t procs_used, procs_max;
	uint32_t rows_used, rows_max;
	uint64_t events; /* ring buffer records received */
	/* stacks: the final symbolization */
	uint64_t symbolize_ns;
	uint64_t sym_captures, sym_capture_misses, sym_modules, sym_parses;
	/* user stacks walked with unwind tables: the tables (bool false: frame pointers) */
	bool unwind_on;
	struct unwind_stats unwind;
	uint64_t unwind_rows_max;
};

#endif
