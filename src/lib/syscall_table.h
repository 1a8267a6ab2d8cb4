/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscall names by number for the build architecture (generated from the kernel's UAPI
 * header by tools/gen-syscall-table.sh), and how a block inside each syscall is
 * classified for the time breakdown.
 */
#ifndef PROCSCOPE_SYSCALL_TABLE_H
#define PROCSCOPE_SYSCALL_TABLE_H

#include <stddef.h>
#include <stdint.h>

extern const char *const syscall_names_x86_64[];
extern const unsigned int syscall_names_x86_64_len;
extern const char *const syscall_names_aarch64[];
extern const unsigned int syscall_names_aarch64_len;

/* The name of @nr, or "syscall_<nr>" written into @buf. */
const char *syscall_name(uint32_t nr, char *buf, size_t len);
/* Number of @name, or -1. */
int syscall_nr(const char *name);
/*
 * The symbolic name of errno @err ("ENOENT"), including the kernel-internal codes a
 * syscall's exit can carry when a signal interrupts it (ERESTARTSYS and the rest, never
 * seen by the program), or "E<n>" written into @buf.
 */
const char *errno_name(uint32_t err, char *buf, size_t len);
/* send[nr] = 1 for the @n syscall numbers that may send on a socket (the loopback waker). */
void syscall_send_table(uint8_t *send, size_t n);
/* Fill cls[nr] (n entries) with the wait class or SYSCALL_CLASS_FD of each syscall. */
void syscall_wait_classes(uint8_t *cls, size_t n);

#endif
