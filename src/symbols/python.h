/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPython, as the unwinder meets it: which mapped files are interpreters (their
 * _PyRuntime and version, from the file's symbols), and a code object's line for an
 * instruction, from its line table (the "locations table" of CPython 3.11 and later:
 * one entry per run of instructions, a varint-coded line delta in each).
 */
#ifndef PROCSCOPE_PYTHON_H
#define PROCSCOPE_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file name that may be an interpreter: python3.11, libpython3.11.so.1.0, ... */
bool py_file_name(const char *path);
/*
 * The ELF file open as @fd is a CPython of 3.11 or later: _PyRuntime's address in
 * *@runtime and its version (PY_VERSION_HEX: major << 24 | minor << 16 | ...) in
 * *@version. 0, or -ENOENT (no interpreter, or one older than 3.11).
 */
int py_elf_probe(int fd, uint64_t *runtime, uint32_t *version);
/*
 * The line of instruction @idx (in 2-byte code units) of a code object whose first
 * line is @first, from the first @len bytes of its line table; -1 when the table
 * says none, or ends (or was cut) before @idx.
 */
int py_line(const uint8_t *table, size_t len, int first, uint32_t idx);

#endif
