// SPDX-License-Identifier: GPL-2.0
/*
 * Call frame information as the unwinder reads it from whatever a process maps: the
 * input as a raw .eh_frame and .debug_frame section, and as an ELF file; every row
 * found is looked up.
 */
#include "symbols/cfi.h"
#include "fuzz.h"

static void use(struct cfi_rows *r)
{
	cfi_rows_finish(r);
	for (size_t i = 0; i < r->n; i++) {
		cfi_lookup(r, r->r[i].pc);
		cfi_func_start(r->funcs, r->n_funcs, r->r[i].pc);
	}
	cfi_rows_release(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfi_rows r = {0};

	cfi_parse(&r, data, size, 0x1000, true);
	use(&r);
	cfi_parse(&r, data, size, 0x1000, false);
	use(&r);
	cfi_rows_from_mem(&r, data, size);
	use(&r);
	return 0;
}
