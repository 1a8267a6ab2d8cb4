// SPDX-License-Identifier: GPL-2.0
/*
 * Call frame information to unwind rows. The ground truth is binutils' readelf
 * (--debug-dump=frames-interp), which runs the same CFA programs: every row it prints
 * for this test binary and for the C library must be the rule cfi_lookup() gives at
 * that address. Hand-built sections cover the rules readelf prints as "exp" (PLT,
 * realigned stacks), large frames, the outermost frame and bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "symbols/cfi.h"
#include "test.h"
#include "lib/util.h"

struct readelf_cmp {
	size_t rows, bad;
};

static int64_t cfa_off_of(const struct cfi_row *r)
{
	return (int64_t)r->cfa_off * ((r->how & UW_SCALED) ? 8 : 1);
}

/*
 * One readelf row (the column names in @cols, the values in @vals) against ours. Rows
 * with a register held in another register ("r10", "(rbx)") are skipped: readelf
 * misaligns its columns there, and the walker does not follow such rules anyway.
 */
static void compare_row(const struct cfi_rows *rows, uint64_t loc, char **cols, char **vals, int n,
			struct readelf_cmp *cmp, const char *path)
{
	const char *cfa = NULL, *ra = "u", *rbp = "u";
	const struct cfi_row *r = cfi_lookup(rows, loc);
	bool ok;

	for (int i = 0; i < n; i++) {
		if (vals[i][0] == '(' || (vals[i][0] == 'r' && i > 0))
			return;
		if (!strcmp(cols[i], "CFA"))
			cfa = vals[i];
		else if (!strcmp(cols[i], "ra"))
			ra = vals[i];
		else if (!strcmp(cols[i], "rbp"))
			rbp = vals[i];
	}
	if (!cfa)
		return;
	cmp->rows++;
	if (!r) {
		ok = false;
	} else if (!strcmp(ra, "u")) {
		ok = UW_HOW_CFA(r->how) == UW_CFA_END;
	} else if (strcmp(ra, "c-8")) {
		ok = UW_HOW_CFA(r->how) == UW_CFA_UNSUPPORTED ||
		     UW_HOW_CFA(r->how) == UW_CFA_SIGNAL;
	} else if (!strncmp(cfa, "rsp+", 4) || !strncmp(cfa, "rbp+", 4)) {
		ok = UW_HOW_CFA(r->how) == (cfa[1] == 's' ? UW_CFA_RSP : UW_CFA_RBP) &&
		     cfa_off_of(r) == strtoll(cfa + 4, NULL, 10);
	} else if (!strcmp(cfa, "exp")) {
		ok = UW_HOW_CFA(r->how) == UW_CFA_PLT || UW_HOW_CFA(r->how) == UW_CFA_DEREF_RBP ||
		     UW_HOW_CFA(r->how) == UW_CFA_UNSUPPORTED ||
		     UW_HOW_CFA(r->how) == UW_CFA_SIGNAL;
	} else {
		ok = UW_HOW_CFA(r->how) == UW_CFA_UNSUPPORTED;
	}
	if (ok && r && UW_HOW_CFA(r->how) >= UW_CFA_RSP && UW_HOW_CFA(r->how) <= UW_CFA_DEREF_RBP) {
		if (!strncmp(rbp, "c-", 2))
			ok = UW_HOW_RBP(r->how) == UW_RBP_CFA && r->rbp_off * 8 == -atoi(rbp + 2);
		else if (!strcmp(rbp, "u"))
			ok = UW_HOW_RBP(r->how) == UW_RBP_SAME;
		else if (!strcmp(rbp, "exp"))
			ok = UW_HOW_RBP(r->how) == UW_RBP_RBP || UW_HOW_RBP(r->how) == UW_RBP_UNDEF;
	}
	if (!ok && cmp->bad++ < 5)
		test_fail(__FILE__, __LINE__,
			  "%s at %#llx: readelf CFA %s rbp %s ra %s; ours how %#x off %d rbp %d",
			  path, (unsigned long long)loc, cfa, rbp, ra, r ? r->how : 0xff,
			  r ? r->cfa_off : 0, r ? r->rbp_off : 0);
}

static int split(char *line, char **out, int max)
{
	int n = 0;

	for (char *t = strtok(line, " \t\n"); t && n < max; t = strtok(NULL, " \t\n"))
		out[n++] = t;
	return n;
}

/* Every row readelf prints for @path's FDEs, looked up in our rows. */
static void against_readelf(const char *path, size_t min_rows)
{
	char cmd[512], line[1024], hdr[1024] = "", *cols[40], *vals[40];
	struct cfi_rows rows = {0};
	struct readelf_cmp cmp = {0};
	bool in_fde = false;
	int fd = open(path, O_RDONLY), n_cols = 0;
	FILE *p;

	CHECK(fd >= 0);
	CHECK_I64(cfi_rows_from_fd(&rows, fd), 0);
	close(fd);
	CHECK(rows.n > 0);
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	while (p && fgets(line, sizeof(line), p)) {
		if (strstr(line, " FDE cie=")) {
			in_fde = true;
			n_cols = 0;
		} else if (strstr(line, " CIE ")) {
			in_fde = false;
		} else if (in_fde && strstr(line, "   LOC ")) {
			snprintf(hdr, sizeof(hdr), "%s", line);
			n_cols = split(hdr, cols, 40) - 1;
			memmove(cols, cols + 1, sizeof(*cols) * (size_t)n_cols);
		} else if (in_fde && n_cols && line[0] >= '0' && strlen(line) > 17 &&
			   line[16] == ' ') {
			char *f[41] = {0};
			int n = split(line, f, 41);

			for (int i = 1; i < n; i++)
				vals[i - 1] = f[i];
			if (n - 1 == n_cols)
				compare_row(&rows, strtoull(f[0], NULL, 16), cols, vals, n_cols,
					    &cmp, path);
		}
	}
	if (p)
		pclose(p); /* readelf exits 1 on a warning about other sections */
	CHECK(cmp.rows >= min_rows);
	CHECK_U64(cmp.bad, 0);
	cfi_rows_release(&rows);
}

TEST(test_cfi__this_binary_as_readelf_reads_it)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	against_readelf(self, 100);
}

TEST(test_cfi__libc_as_readelf_reads_it)
{
	/* Debian's libc: no frame pointers, hand-written assembly, a signal trampoline */
	against_readelf("/lib/x86_64-linux-gnu/libc.so.6", 10000);
}

/* A little .eh_frame writer for the cases readelf cannot check. */
struct sec {
	uint8_t b[512];
	size_t n;
};

static void put(struct sec *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put_u32(struct sec *s, uint32_t v)
{
	put(s, &v, 4);
}

/* CIE at 0: "zR", code 1, data -8, ra 16, pcrel|sdata4; def_cfa rsp+8, ra at cfa-8 */
static void cie(struct sec *s)
{
	uint8_t body[] = {1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0x0c, 7, 8, 0x90, 1};

	put_u32(s, 4 + sizeof(body) + 2);
	put_u32(s, 0);
	put(s, body, sizeof(body));
	put(s, "\0\0", 2); /* nops to align */
}

/* An FDE for [pc, pc + range) at section address @vaddr with instructions @ins. */
static void fde(struct sec *s, uint64_t vaddr, uint32_t pc, uint32_t range, const uint8_t *ins,
		size_t n)
{
	int32_t rel;

	put_u32(s, (uint32_t)(4 + 4 + 4 + 1 + n));
	put_u32(s, (uint32_t)(s->n)); /* back to the CIE at 0 */
	rel = (int32_t)((int64_t)pc - (int64_t)(vaddr + s->n));
	put(s, &rel, 4);
	put_u32(s, range);
	put(s, "\0", 1); /* augmentation data length */
	put(s, ins, n);
}

TEST(test_cfi__rules_readelf_prints_as_expressions)
{
	const uint64_t vaddr = 0x2000;
	struct sec s = {0};
	struct cfi_rows rows = {0};
	const struct cfi_row *r;
	/* a PLT: push (cfa 16), then the expression rsp + 8 + ((rip & 15) >= 11) << 3 */
	static const uint8_t plt[] = {0x0e, 16, 0x46, 0x0e, 24,	  0x4a, 0x0f, 11,   0x77, 8,
				      0x80, 0,	0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22};
	/* realigned: cfa = *(rbp - 8), rbp saved at rbp + 0; then a def_cfa_offset */
	static const uint8_t realign[] = {0x44, 0x0f, 3, 0x76, 0x78, 0x06, 0x10, 6,
					  2,	0x76, 0, 0x48, 0x0e, 0xc0, 0xb8, 0x02};
	/* _start: the return address undefined */
	static const uint8_t start[] = {0x07, 16};

	cie(&s);
	fde(&s, vaddr, 0x1000, 0x40, plt, sizeof(plt));
	fde(&s, vaddr, 0x1100, 0x100, realign, sizeof(realign));
	fde(&s, vaddr, 0x1300, 0x10, start, sizeof(start));
	put_u32(&s, 0);
	CHECK_I64(cfi_parse(&rows, s.b, s.n, vaddr, true), 0);
	cfi_rows_finish(&rows);
	CHECK_U64(rows.fdes, 3);
	CHECK_U64(rows.fdes_bad, 0);

	r = cfi_lookup(&rows, 0x1000);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_RSP && r->cfa_off == 16);
	r = cfi_lookup(&rows, 0x1006);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_RSP && r->cfa_off == 24);
	r = cfi_lookup(&rows, 0x1010);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_PLT && r->cfa_off == 11);
	/* between the FDEs: no rule */
	r = cfi_lookup(&rows, 0x1040);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_NONE);
	r = cfi_lookup(&rows, 0x1100);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_RSP && r->cfa_off == 8);
	r = cfi_lookup(&rows, 0x1104);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_DEREF_RBP && r->cfa_off == -8 &&
	      UW_HOW_RBP(r->how) == UW_RBP_RBP && r->rbp_off == 0);
	/* def_cfa_offset after an expression changes nothing */
	r = cfi_lookup(&rows, 0x110c);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_DEREF_RBP && r->cfa_off == -8);
	r = cfi_lookup(&rows, 0x1300);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_END);
	r = cfi_lookup(&rows, 0x1310);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_NONE);
	CHECK(cfi_lookup(&rows, 0xfff) == NULL);
	cfi_rows_release(&rows);
}

TEST(test_cfi__large_frames_scaled)
{
	const uint64_t vaddr = 0x2000;
	struct sec s = {0};
	struct cfi_rows rows = {0};
	const struct cfi_row *r;
	/* cfa rsp + 65600 (a 64 KiB buffer on the stack), rbp at cfa - 24 */
	static const uint8_t big[] = {0x41, 0x0e, 0xc0, 0x80, 0x04, 0x86, 3};

	cie(&s);
	fde(&s, vaddr, 0x1000, 0x40, big, sizeof(big));
	CHECK_I64(cfi_parse(&rows, s.b, s.n, vaddr, true), 0);
	cfi_rows_finish(&rows);
	r = cfi_lookup(&rows, 0x1001);
	CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_RSP && (r->how & UW_SCALED));
	CHECK_I64(r ? cfa_off_of(r) : 0, 65600);
	CHECK(r && UW_HOW_RBP(r->how) == UW_RBP_CFA && r->rbp_off == -3);
	cfi_rows_release(&rows);
}

TEST(test_cfi__bad_input_is_refused_not_read_past)
{
	struct cfi_rows rows = {0};
	struct sec s = {0};
	uint8_t junk[64];

	/* a length past the end */
	put_u32(&s, 1000);
	put_u32(&s, 0);
	CHECK_I64(cfi_parse(&rows, s.b, s.n, 0x1000, true), -EINVAL);
	/* an FDE whose CIE pointer points nowhere: counted, skipped */
	memset(&s, 0, sizeof(s));
	cie(&s);
	put_u32(&s, 13);
	put_u32(&s, 0x7fff);
	put_u32(&s, 0);
	put_u32(&s, 0x10);
	put(&s, "\0", 1);
	CHECK_I64(cfi_parse(&rows, s.b, s.n, 0x1000, true), 0);
	CHECK_U64(rows.fdes, 1);
	CHECK_U64(rows.fdes_bad, 1);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	cfi_parse(&rows, junk, sizeof(junk), 0x1000, false);
	cfi_rows_finish(&rows);
	cfi_rows_release(&rows);
}
