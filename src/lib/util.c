// SPDX-License-Identifier: GPL-2.0
/* Allocation, clock and formatting helpers. Allocation failure aborts with a message. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

static void *oom(size_t n)
{
	pr_error("out of memory allocating %zu bytes", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom(n);
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	return p ? p : oom(nmemb * size);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom(n);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void *xmemdup(const void *p, size_t n)
{
	void *q = xmalloc(n ? n : 1);

	if (n)
		memcpy(q, p, n);
	return q;
}

/* /proc/self/pagemap, 64 bits a page: bit 63 present, 62 swapped (admin-guide/mm/pagemap) */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
static int pagemap_fd = -1;
static size_t page_size = 4096;
static pthread_once_t pagemap_once = PTHREAD_ONCE_INIT;

static void pagemap_open(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	if (ps > 0)
		page_size = (size_t)ps;
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
}

/* Page @pg (aligned) zeroed unless it reads as zero already. */
static void page_zero(char *pg)
{
	const uint64_t *w = (const uint64_t *)pg;
	size_t i = 0;

	while (i < page_size / 8 && !w[i])
		i++;
	if (i < page_size / 8)
		memset(pg, 0, page_size);
}

void memzero_lazily(void *p, size_t len)
{
	enum { BATCH = 512 };
	char *c = p, *end = c + len, *first, *last;
	uint64_t pm[BATCH];

	pthread_once(&pagemap_once, pagemap_open);
	first = (char *)(((uintptr_t)c + page_size - 1) & ~(uintptr_t)(page_size - 1));
	last = (char *)((uintptr_t)end & ~(uintptr_t)(page_size - 1));
	if (first >= last) {
		memset(c, 0, len);
		return;
	}
	memset(c, 0, (size_t)(first - c));
	memset(last, 0, (size_t)(end - last));
	/*
	 * A page of private anonymous memory neither present nor swapped out reads as zero
	 * (never touched, or given back): the kernel says which, without the read fault per
	 * page that checking its content takes (~10 us on a VM, 1,600 a dump at the default
	 * table size); those present are read, and written only if not zero.
	 */
	while (first < last) {
		size_t n = (size_t)(last - first) / page_size;
		ssize_t got = -1;

		if (n > BATCH)
			n = BATCH;
		if (pagemap_fd >= 0)
			got = pread(pagemap_fd, pm, n * sizeof(pm[0]),
				    (off_t)((uintptr_t)first / page_size * sizeof(pm[0])));
		for (size_t i = 0; i < n; i++, first += page_size)
			if (got != (ssize_t)(n * sizeof(pm[0])) ||
			    (pm[i] & (PM_PRESENT | PM_SWAPPED)))
				page_zero(first);
	}
}

/* the stretch of heap heap_burst_begin() asked huge pages for */
static uintptr_t burst_from, burst_to;

void heap_burst_begin(size_t bytes)
{
	const uintptr_t huge = 2 << 20;
	char *p;

	/* from the heap, up to @bytes (main() sends large ones to mmap), and kept at free */
	mallopt(M_MMAP_THRESHOLD, (int)(bytes + huge));
	mallopt(M_TRIM_THRESHOLD, (int)(bytes + huge));
	if (!(p = malloc(bytes)))
		return;
	/*
	 * The huge pages wholly inside what the burst will write: one that it would only
	 * partly fill would be resident whole, and the peak RSS is a target too
	 */
	burst_from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	burst_to = ((uintptr_t)p + bytes) & ~(huge - 1);
	if (burst_to <= burst_from ||
	    madvise((void *)burst_from, burst_to - burst_from, MADV_HUGEPAGE))
		burst_from = burst_to = 0;
	free(p);
}

void heap_burst_end(void)
{
	if (burst_to > burst_from)
		madvise((void *)burst_from, burst_to - burst_from, MADV_NOHUGEPAGE);
	burst_from = burst_to = 0;
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
	malloc_trim(0);
}

void pages_release(const void *p, size_t len)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + len) & ~(page - 1);

	if (to > from)
		madvise((void *)from, to - from, MADV_DONTNEED);
}

/* A hex number at *@p ("7f12ab", "0x7f12ab"), then one space or tab; false if none. */
bool hex_field(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end && digits < 16; s++, digits++) {
		int d = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : -1;

		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits || s == end || (*s != ' ' && *s != '\t'))
		return false;
	*out = v;
	*p = s + 1;
	return true;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t own_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static char *fmt_scaled(char *buf, size_t len, double v, const char *unit)
{
	if (v >= 100 || v == 0)
		snprintf(buf, len, "%.0f%s", v, unit);
	else if (v >= 10)
		snprintf(buf, len, "%.1f%s", v, unit);
	else
		snprintf(buf, len, "%.2f%s", v, unit);
	return buf;
}

char *fmt_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns < NSEC_PER_USEC)
		return fmt_scaled(buf, len, (double)ns, "ns");
	if (ns < NSEC_PER_MSEC)
		return fmt_scaled(buf, len, ns / 1e3, "us");
	if (ns < NSEC_PER_SEC)
		return fmt_scaled(buf, len, ns / 1e6, "ms");
	return fmt_scaled(buf, len, ns / 1e9, "s");
}

char *fmt_bytes(char *buf, size_t len, uint64_t b)
{
	if (b < 1024)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else if (b < 1024 * 1024)
		fmt_scaled(buf, len, b / 1024.0, "KiB");
	else if (b < 1024ULL * 1024 * 1024)
		fmt_scaled(buf, len, b / 1048576.0, "MiB");
	else
		fmt_scaled(buf, len, b / 1073741824.0, "GiB");
	return buf;
}

double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

int parse_decimal(const char *s, double *v, const char **end)
{
	const char *p = s;
	char *e;

	/* plain decimals only: no sign, no exponent, no hex, no inf/nan (strtod takes all) */
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p);)
			p++;
	if (p == s || (p == s + 1 && *s == '.'))
		return -1;
	errno = 0;
	*v = strtod(s, &e);
	if (errno || e != p || !isfinite(*v))
		return -1;
	*end = p;
	return 0;
}

struct unit {
	const char *name;
	double scale;
};

/* A decimal with one of @units (or @default_unit when it has none), scaled. */
static int parse_units(const char *s, const struct unit *units, size_t n, const char *default_unit,
		       uint64_t *out)
{
	const char *unit, *end;
	double v;

	if (parse_decimal(s, &v, &end))
		return -1;
	unit = *end ? end : default_unit;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(unit, units[i].name) == 0) {
			double x = v * units[i].scale;

			if (x > 1e18)
				return -1;
			*out = (uint64_t)(x + 0.5);
			return 0;
		}
	}
	return -1;
}

int parse_duration_ns(const char *s, uint64_t *out, const char *default_unit)
{
	static const struct unit units[] = {
		{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};

	return parse_units(s, units, ARRAY_SIZE(units), default_unit, out);
}

int parse_size_bytes(const char *s, uint64_t *out)
{
	static const struct unit units[] = {
		{"", 1},
		{"K", 1024.0},
		{"M", 1024.0 * 1024},
		{"G", 1024.0 * 1024 * 1024},
	};

	return parse_units(s, units, ARRAY_SIZE(units), "", out);
}

char *read_input(const char *path, const char *what, size_t max, size_t *len, char *err,
		 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t off = 0;
	char *buf, sz[32];

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "cannot read %s '%s': %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		if (S_ISREG(st.st_mode))
			snprintf(err, errlen, "%s '%s' is larger than %s", what, path,
				 fmt_bytes(sz, sizeof(sz), max));
		else
			snprintf(err, errlen, "%s '%s' is %s", what, path,
				 S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s '%s': %s", what, path,
				 n < 0 ? strerror(errno) : "it shrank while read");
			free(buf);
			close(fd);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

long read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return (long)off;
}

void markup_text(FILE *f, const char *s, size_t max, bool keep_lines)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\n':
		case '\t':
			if (keep_lines) {
				fputc(*s, f);
				break;
			}
			/* fall through */
		default:
			/* XML 1.0 has no place for control characters */
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
		}
	}
}
