/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libFuzzer harnesses (make fuzz): each feeds one parser of user input with arbitrary
 * bytes; ASan and UBSan turn any bad access or undefined behaviour into a crash.
 */
#ifndef PROCSCOPE_FUZZ_H
#define PROCSCOPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @data as a NUL-terminated string the parser may change (free it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
