// SPDX-License-Identifier: GPL-2.0
/*
 * The generated syscall table: names, numbers and the wait class of a block inside
 * each syscall.
 */
#include <stdlib.h>

#include "core_abi.h"
#include "lib/syscall_table.h"
#include "test.h"

TEST(test_syscall_table__names_and_classes)
{
	char b[32];
	uint8_t cls[SYSCALL_NR_MAX];

#if defined(__x86_64__)
	CHECK_STR(syscall_name(110, b, sizeof(b)), "getppid");
	CHECK_I64(syscall_nr("getppid"), 110);
	CHECK_I64(syscall_nr("read"), 0);
#endif
	CHECK_STR(syscall_name(SYSCALL_NR_MAX + 7, b, sizeof(b)), "syscall_519");
	CHECK_I64(syscall_nr("no_such_syscall"), -1);
	syscall_wait_classes(cls, SYSCALL_NR_MAX);
	CHECK_I64(cls[syscall_nr("futex")], WC_LOCK);
	CHECK_I64(cls[syscall_nr("wait4")], WC_CHILD);
	CHECK_I64(cls[syscall_nr("clock_nanosleep")], WC_SLEEP);
	CHECK_I64(cls[syscall_nr("epoll_wait")], SYSCALL_CLASS_EPOLL);
	CHECK_I64(cls[syscall_nr("poll")], SYSCALL_CLASS_POLL);
	CHECK_I64(cls[syscall_nr("pselect6")], SYSCALL_CLASS_SELECT);
	CHECK_I64(cls[syscall_nr("connect")], SYSCALL_CLASS_FD);
	CHECK_I64(cls[syscall_nr("recvmsg")], SYSCALL_CLASS_FD);
	CHECK_I64(cls[syscall_nr("read")], SYSCALL_CLASS_FD);
	CHECK_I64(cls[syscall_nr("getppid")], WC_OTHER);
}

TEST(test_syscall_table__errno_names)
{
	char b[16];

	CHECK_STR(errno_name(2, b, sizeof(b)), "ENOENT");
	CHECK_STR(errno_name(11, b, sizeof(b)), "EAGAIN");
	/* The kernel-internal codes a signal leaves on a syscall's exit. */
	CHECK_STR(errno_name(512, b, sizeof(b)), "ERESTARTSYS");
	CHECK_STR(errno_name(516, b, sizeof(b)), "ERESTART_RESTARTBLOCK");
	CHECK_STR(errno_name(524, b, sizeof(b)), "ENOTSUPP");
	CHECK_STR(errno_name(531, b, sizeof(b)), "ENOGRACE");
	CHECK_STR(errno_name(520, b, sizeof(b)), "E520");
	CHECK_STR(errno_name(532, b, sizeof(b)), "E532");
	CHECK_STR(errno_name(4000, b, sizeof(b)), "E4000");
	CHECK_STR(errno_name(0, b, sizeof(b)), "E0");
}
