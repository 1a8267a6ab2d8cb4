// SPDX-License-Identifier: GPL-2.0
/*
 * The generated syscall table: names, numbers and the wait class of a block inside
 * each syscall.
 */
#include <stdlib.h>

#include "core_abi.h"
#include "syscall_table.h"
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
	CHECK_I64(cls[syscall_nr("epoll_wait")], WC_POLL);
	CHECK_I64(cls[syscall_nr("connect")], WC_NET);
	CHECK_I64(cls[syscall_nr("read")], SYSCALL_CLASS_FD);
	CHECK_I64(cls[syscall_nr("getppid")], WC_OTHER);
}
