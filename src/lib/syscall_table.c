// SPDX-License-Identifier: GPL-2.0
/*
 * Name lookups over the generated table, and the wait-class table the scheduler
 * programs consult when a task blocks inside a syscall (docs/metrics.md explains the
 * classes). A syscall that only ever waits on sockets is WC_NET outright; one that
 * waits on whatever its first argument is (read, write, ...) is SYSCALL_CLASS_FD, resolved at
 * block time by looking at the file.
 */
#include <stdio.h>
#include <string.h>

#include "core_abi.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

#if defined(__x86_64__)
#define TABLE syscall_names_x86_64
#define TABLE_LEN syscall_names_x86_64_len
#elif defined(__aarch64__)
#define TABLE syscall_names_aarch64
#define TABLE_LEN syscall_names_aarch64_len
#else
#error "no syscall table for this architecture: run tools/gen-syscall-table.sh"
#endif

const char *syscall_name(uint32_t nr, char *buf, size_t len)
{
	if (nr < TABLE_LEN && TABLE[nr])
		return TABLE[nr];
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

/* include/linux/errno.h: codes that stay inside the kernel, from 512 up. */
static const char *const kernel_errnos[] = {
	"ERESTARTSYS",
	"ERESTARTNOINTR",
	"ERESTARTNOHAND",
	"ENOIOCTLCMD",
	"ERESTART_RESTARTBLOCK",
	"EPROBE_DEFER",
	"EOPENSTALE",
	"ENOPARAM",
	NULL,
	"EBADHANDLE",
	"ENOTSYNC",
	"EBADCOOKIE",
	"ENOTSUPP",
	"ETOOSMALL",
	"ESERVERFAULT",
	"EBADTYPE",
	"EJUKEBOX",
	"EIOCBQUEUED",
	"ERECALLCONFLICT",
	"ENOGRACE",
};

const char *errno_name(uint32_t err, char *buf, size_t len)
{
	const char *n = NULL;

	if (err >= 512 && err - 512 < ARRAY_SIZE(kernel_errnos))
		n = kernel_errnos[err - 512];
	else if (err > 0 && err < 512)
		n = strerrorname_np((int)err);
	if (n)
		return n;
	snprintf(buf, len, "E%u", err);
	return buf;
}

int syscall_nr(const char *name)
{
	for (unsigned int i = 0; i < TABLE_LEN; i++)
		if (TABLE[i] && strcmp(TABLE[i], name) == 0)
			return (int)i;
	return -1;
}

static const struct {
	const char *name;
	uint8_t cls;
} wait_classes[] = {
	{"futex", WC_LOCK},
	{"futex_waitv", WC_LOCK},
	{"flock", WC_LOCK},
	{"fcntl", WC_LOCK}, /* only F_SETLKW and F_OFD_SETLKW block */
	{"semop", WC_LOCK},
	{"semtimedop", WC_LOCK},
	/* waiting for writeback: the disk, whether or not inside io_schedule() (jbd2 commits) */
	{"fsync", WC_IO},
	{"fdatasync", WC_IO},
	{"sync", WC_IO},
	{"syncfs", WC_IO},
	{"sync_file_range", WC_IO},
	{"msync", WC_IO},
	{"nanosleep", WC_SLEEP},
	{"clock_nanosleep", WC_SLEEP},
	{"pause", WC_SLEEP},
	{"rt_sigsuspend", WC_SLEEP},
	{"rt_sigtimedwait", WC_SLEEP},
	/* waits on sockets carrying traffic are the network's; on the rest, events */
	{"poll", SYSCALL_CLASS_POLL},
	{"ppoll", SYSCALL_CLASS_POLL},
	{"select", SYSCALL_CLASS_SELECT},
	{"pselect6", SYSCALL_CLASS_SELECT},
	{"epoll_wait", SYSCALL_CLASS_EPOLL},
	{"epoll_pwait", SYSCALL_CLASS_EPOLL},
	{"epoll_pwait2", SYSCALL_CLASS_EPOLL},
	{"wait4", WC_CHILD},
	{"waitid", WC_CHILD},
	/* socket calls: IPv4/IPv6 is the network, Unix sockets are IPC (other) */
	{"connect", SYSCALL_CLASS_FD},
	{"accept", SYSCALL_CLASS_FD}, /* a listening socket: an event, a client */
	{"accept4", SYSCALL_CLASS_FD},
	{"recvfrom", SYSCALL_CLASS_FD},
	{"recvmsg", SYSCALL_CLASS_FD},
	{"recvmmsg", SYSCALL_CLASS_FD},
	{"sendto", SYSCALL_CLASS_FD},
	{"sendmsg", SYSCALL_CLASS_FD},
	{"sendmmsg", SYSCALL_CLASS_FD},
	{"read", SYSCALL_CLASS_FD},
	{"write", SYSCALL_CLASS_FD},
	{"readv", SYSCALL_CLASS_FD},
	{"writev", SYSCALL_CLASS_FD},
	{"sendfile", SYSCALL_CLASS_FD}, /* first argument: the output fd */
	{"splice", SYSCALL_CLASS_FD},
};

void syscall_send_table(uint8_t *send, size_t n)
{
	/* what may put bytes (or a connection's open or close) on a socket to a local peer */
	static const char *const names[] = {"write",	"writev",   "sendto",  "sendmsg",
					    "sendmmsg", "sendfile", "splice",  "connect",
					    "shutdown", "close",    "pwritev2"};

	memset(send, 0, n);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int nr = syscall_nr(names[i]);

		if (nr >= 0 && (size_t)nr < n)
			send[nr] = 1;
	}
}

void syscall_wait_classes(uint8_t *cls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cls[i] = WC_OTHER;
	for (size_t i = 0; i < ARRAY_SIZE(wait_classes); i++) {
		int nr = syscall_nr(wait_classes[i].name);

		if (nr >= 0 && (size_t)nr < n)
			cls[nr] = wait_classes[i].cls;
	}
}
