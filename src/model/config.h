/* SPDX-License-Identifier: GPL-2.0 */
/* What the user asked for, as parsed from the command line (cli.c) and checked there. */
#ifndef PROCSCOPE_CONFIG_H
#define PROCSCOPE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "model/subsys.h"

enum target_kind {
	TARGET_NONE = 0,
	TARGET_COMMAND, /* -- COMMAND ARGS */
	TARGET_PIDS,	/* -p PID[,PID...] */
	TARGET_CGROUP,	/* -c PATH */
	TARGET_ALL,	/* -a */
};

enum bpf_stats_mode {
	BPF_STATS_OFF = 0,
	BPF_STATS_SAMPLE = 1, /* on for a slice of every second: cheap, an estimate */
	BPF_STATS_FULL = 2,   /* on for the whole run: exact, ~2 clock reads per program run */
};

/* Exit statuses (also in --help and the README). */
#define EXIT_USAGE 2
#define EXIT_RUNTIME 1
#define EXIT_ALERT 3  /* --fail-on-alert and an alert fired */
#define EXIT_PIPE 141 /* 128+SIGPIPE: the report's reader went away, as a filter ends */

struct alerts;

/* An option given several times, in order. */
struct str_list {
	const char **v;
	int n;
};

/* --max-procs: at most this many process slots */
#define MAX_PROCS_LIMIT (1U << 20)

struct config {
	enum target_kind target;
	char **argv; /* TARGET_COMMAND: NULL-terminated */
	int argc;
	int *pids; /* TARGET_PIDS */
	int n_pids;
	const char *cgroup; /* TARGET_CGROUP */
	bool follow_children;
	unsigned int max_peers;	 /* processes outside the target followed as peers */
	unsigned int peer_depth; /* ... up to this many hops from it (0: no peers) */
	unsigned int subsys;
	uint64_t duration_ns; /* 0 = until the target ends or a signal */
	uint64_t interval_ns; /* 0 = final report only */
	bool json;
	const char *output;	  /* NULL = stdout */
	const char *prometheus;	  /* --prometheus [ADDR:]PORT, NULL if not */
	const char *web_config;	  /* --web-config FILE: its TLS and users */
	unsigned int prom_labels; /* enum prom_labels */
	unsigned int prom_max_series;
	unsigned int top_n;
	unsigned int max_procs;
	unsigned int max_rows;
	int syscall_time_all;	     /* time every syscall (no sampling of hot rows) */
	int bpf_stats;		     /* enum bpf_stats_mode */
	const char *btf_path;	     /* NULL = /sys/kernel/btf/vmlinux */
	unsigned int freq_hz;	     /* on-CPU sampling frequency */
	int unwind_fp;		     /* user stacks by frame pointers only (--unwind fp) */
	int no_python;		     /* no Python frames (--no-python-frames) */
	unsigned int unwind_rows;    /* unwind rows the kernel holds */
	uint64_t offcpu_min_ns;	     /* off-CPU intervals shorter than this are not counted */
	const char *folded;	     /* on-CPU folded stacks */
	const char *folded_offcpu;   /* off-CPU folded stacks (microseconds) */
	const char *flamegraph;	     /* SVG */
	const char *pprof;	     /* gzipped pprof protobuf */
	const char *trace;	     /* Perfetto trace (trace.h) */
	uint64_t trace_max;	     /* its events' bytes, at most */
	uint64_t flight_ns;	     /* --flight-recorder: the window kept, 0 if off */
	uint64_t flight_max;	     /* its events' bytes, at most */
	const char *flight_dir;	     /* where its dumps go */
	unsigned int flight_keep;    /* dumps kept there */
	const char *html;	     /* the report as one HTML page (html.h) */
	struct str_list alert_rules; /* --alert, in order */
	struct str_list alert_files; /* --alerts */
	const char *alert_exec;
	bool fail_on_alert;
	struct alerts *alerts;	   /* parsed rules, NULL without any */
	const char *baseline;	   /* --baseline */
	const char *save_baseline; /* --save-baseline */
	int verbose;
	bool check; /* --check: say what this kernel supports, trace nothing */
};

void config_init(struct config *cfg);
void config_release(struct config *cfg);

#endif
