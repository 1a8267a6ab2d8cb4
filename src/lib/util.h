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

/* Allocations that never return NULL: out of memory ends the program, said on stderr. */
#define XALLOC __attribute__((returns_nonnull, warn_unused_result))
void *xmalloc(size_t n) XALLOC;
void *xcalloc(size_t nmemb, size_t size) XALLOC;
void *xrealloc(void *p, size_t n) XALLOC;
char *xstrdup(const char *s) XALLOC;
void *xmemdup(const void *p, size_t n) XALLOC;
/*
 * memset(@p, 0, @len) of memory from malloc, but writing only the pages that are not
 * zero already: fresh pages (a large malloc's, realloc's) are neither written nor read
 * (the kernel's page map tells them), and stay out of the RSS.
 */
void memzero_lazily(void *p, size_t len);
char *xstrndup(const char *s, size_t n) XALLOC;

/*
 * Between these two, a burst of @bytes of large short-lived allocations made by code we
 * do not control (libbpf reading the kernel's BTF: two copies of a 5-6 MiB file) comes
 * from the heap, on huge pages where it fills them. A page fault costs ~10 us on a VM,
 * and those were 2,700 of them; a huge page is one per 2 MiB. At the end the stretch
 * goes back to small pages, and what is free of it back to the kernel. Harmless where
 * huge pages are off.
 */
void heap_burst_begin(size_t bytes);
/* The clean pages of read-only data at @p out of the RSS (read again if touched). */
void pages_release(const void *p, size_t len);
/* Otherwise: large buffers (a copy of the kernel's tables every interval) from mmap,
 * given back at free; glibc's moving threshold kept them in a heap that only grows. */
#define HEAP_MMAP_THRESHOLD (256 * 1024)
#define HEAP_TRIM_THRESHOLD (128 * 1024) /* glibc's default */
void heap_burst_end(void);

/*
 * A hex number at *@p ("7f12ab", "0x7f12ab", up to 16 digits) before @end, then one
 * space or tab, both consumed; false if none.
 */
bool hex_field(const char **p, const char *end, uint64_t *out);

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads. */
uint64_t now_ns(void);
/* CLOCK_REALTIME, in ns since the epoch */
uint64_t unix_now_ns(void);
/* This process's CPU time so far, all threads (user and system). */
uint64_t own_cpu_ns(void);

/*
 * Human durations with three significant digits and a unit: "812ns", "4.21us",
 * "38.0ms", "12.4s". Writes into @buf (at least 16 bytes) and returns it.
 */
char *fmt_dur(char *buf, size_t len, uint64_t ns);
char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
double pct(uint64_t part, uint64_t whole);

/*
 * A plain non-negative decimal at @s ("250", "1.5", ".5"): no sign, exponent, hex,
 * inf or nan, all of which strtod would take. 0 with the value and its end, or -1.
 */
int parse_decimal(const char *s, double *v, const char **end);
/* Parse "1.5", "250ms", "10s", "2m" into ns; -1 on a malformed value. */
int parse_duration_ns(const char *s, uint64_t *out, const char *default_unit);
/*
 * @s (at most @max characters) as XML or HTML text: markup characters escaped, other
 * control characters as '?' -- but newlines and tabs with @keep_lines.
 */
void markup_text(FILE *f, const char *s, size_t max, bool keep_lines);
/* Parse "1048576", "64K", "100M", "1.5G" (powers of 1024) into bytes; -1 if malformed. */
int parse_size_bytes(const char *s, uint64_t *out);

/* Read a whole (small) file; returns bytes read or -errno. NUL-terminates. */
long read_file(const char *path, char *buf, size_t len);

/*
 * Read input file @path (a rules file, a baseline) whole, NUL-terminated, into a buffer
 * the caller frees; its length in *@len. It must be a regular file of at most @max
 * bytes: anything else (a directory, a device, a FIFO that never ends) is refused with
 * one line in @err naming @what, and NULL.
 */
char *read_input(const char *path, const char *what, size_t max, size_t *len, char *err,
		 size_t errlen);

#endif
