/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call frame information (DWARF CFI) of an ELF file, as the compact rows the BPF
 * unwinder reads (include/unwind_abi.h): .eh_frame, which every Debian binary and
 * library carries for C++ exceptions and backtraces even when built without frame
 * pointers, and .debug_frame, in separate debug files or objects built without
 * .eh_frame. Each FDE's CFA program is run to the rows of its address range; a gap
 * between FDEs gets a UW_CFA_NONE row; rows in a row that say the same are merged.
 */
#ifndef PROCSCOPE_CFI_H
#define PROCSCOPE_CFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind_abi.h"

/*
 * One row of rules, in the layout the kernel's unwinder reads (struct cfi_row of
 * include/unwind_abi.h, with its UW_* encodings): kernel/unwind.c checks the two agree
 * and copies rows into the kernel's table as they are.
 */
struct cfi_row {
	uint32_t pc;	 /* file address (ELF vaddr) from which this rule holds */
	int16_t cfa_off; /* see enum unwind_cfa; in 8-byte units with UW_SCALED */
	uint8_t how;	 /* enum unwind_cfa | UW_SCALED | enum unwind_rbp << 4 */
	int8_t rbp_off;	 /* in 8-byte units */
};

struct cfi_rows {
	struct cfi_row *r; /* sorted by pc */
	size_t n, cap;
	/* what could not be turned into rows */
	size_t fdes, fdes_bad; /* FDEs read, FDEs skipped (bad encoding, unknown opcode) */
	size_t unsupported;    /* rows of a rule the walker does not follow */
	/* where each FDE's function starts, sorted: names for code without symbols */
	uint32_t *funcs;
	size_t n_funcs, funcs_cap;
};

/*
 * Append the rows of CFI section @buf (@len bytes) at file address @vaddr: .eh_frame
 * when @eh, else .debug_frame. 0, or -EINVAL if the section is not CFI at all.
 * Call cfi_rows_finish() once every section is in.
 */
int cfi_parse(struct cfi_rows *out, const uint8_t *buf, size_t len, uint64_t vaddr, bool eh);
/* Sort, fill the gaps, merge. */
void cfi_rows_finish(struct cfi_rows *out);

/*
 * The rows of the ELF file open as @fd: its .eh_frame, else its .debug_frame. 0, or
 * -ENOENT when it has neither, -EINVAL when it is not ELF or not x86_64, -E2BIG when
 * its code lies beyond 4 GiB (rows hold 32-bit addresses).
 */
int cfi_rows_from_fd(struct cfi_rows *out, int fd);
/* The same for an ELF image in memory (the vDSO). */
int cfi_rows_from_mem(struct cfi_rows *out, const void *image, size_t size);

/* The start of the function (FDE) holding file address @pc, or 0 if none. */
uint32_t cfi_func_start(const uint32_t *funcs, size_t n, uint64_t pc);

/* The row in effect at file address @pc, or NULL (before the first row). */
const struct cfi_row *cfi_lookup(const struct cfi_rows *rows, uint64_t pc);

void cfi_rows_release(struct cfi_rows *rows);

#endif
