/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every module uses: allocation that cannot fail quietly, clocks, formatting. */
#ifndef PROCSCOPE_UTIL_H
#define PROCSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads. */
uint64_t now_ns(void);

/*
 * Human durations with three significant digits and a unit: "812ns", "4.21us",
 * "38.0ms", "12.4s". Writes into @buf (at least 16 bytes) and returns it.
 */
char *fmt_dur(char *buf, size_t len, uint64_t ns);
char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
double pct(uint64_t part, uint64_t whole);

/* Parse "1.5", "250ms", "10s", "2m" into ns; -1 on a malformed value. */
int parse_duration_ns(const char *s, uint64_t *out, const char *default_unit);

/* Read a whole (small) file; returns bytes read or -errno. NUL-terminates. */
long read_file(const char *path, char *buf, size_t len);

#endif
