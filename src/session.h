/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF session: open -> configure rodata and map sizes -> load -> (register the
 * target's pids) -> attach -> poll and collect -> destroy. Everything is detached and
 * freed by session__free(), which every exit path calls. Only session.c and
 * collect.c see the skeleton.
 */
#ifndef PROCSCOPE_SESSION_H
#define PROCSCOPE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"

struct session;

struct session_opts {
	const struct config *cfg;
	uint32_t mode; /* enum target_mode */
	uint64_t cg_id;
	uint32_t cg_level;
	/* ring buffer records; return 0 */
	int (*on_event)(void *ctx, void *data, size_t len);
	void *ctx;
	uint64_t started_ns; /* procscope's start, for the startup figure */
	/* pressure stall information: /proc/pressure, or the target cgroup's directory */
	const char *psi_dir;
	bool psi_cgroup;
};

int session__open(struct session **out, const struct session_opts *opts);
/* Put a running process (or the launched child) in the target; after open, before attach. */
int session__add_pid(struct session *s, uint32_t tgid, uint32_t flags);
int session__attach(struct session *s);
int session__ring_fd(struct session *s);
/* Consume ring buffer records (non-blocking). */
int session__drain(struct session *s);
/*
 * Copy the kernel tables, open intervals folded in; caller releases @out. 0, or
 * -errno when a table could not be read (said on stderr; what was read is kept).
 */
int session__collect(struct session *s, struct raw_dump *out);
struct raw_stacks;
/* The stacks counted so far (profile / offcpu subsystems); caller releases @out. */
int session__collect_stacks(struct session *s, struct raw_stacks *out);
struct unwind_tables;
/* The unwind tables' memory (mmap'ed maps), or NULL when user stacks use frame pointers. */
const struct unwind_tables *session__unwind_tables(const struct session *s);
/* Target processes not yet exited. */
uint32_t session__alive(struct session *s);
uint64_t session__attach_ns(const struct session *s);
/* The kernel, the subsystems that loaded, and what it could not do (notes). */
const struct kernel_info *session__kernel(const struct session *s);
/* The names of the programs loaded, up to @max, into @names; returns how many. */
size_t session__prog_names(const struct session *s, const char **names, size_t max);
/* When session__stats_tick() next has work (0: never); call it at or after that time. */
uint64_t session__stats_next(const struct session *s);
void session__stats_tick(struct session *s, uint64_t now);
void session__free(struct session *s);

#endif
