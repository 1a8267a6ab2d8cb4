// SPDX-License-Identifier: GPL-2.0
/* Pressure stall files parsed as the kernel writes them (system-wide and per cgroup). */
#include <errno.h>
#include <stdint.h>

#include "host/psi.h"
#include "test.h"

TEST(test_psi__parse)
{
	uint64_t some = 1, full = 1;

	CHECK_I64(psi_parse("some avg10=7.30 avg60=1.91 avg300=1.38 total=146900683\n"
			    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			    &some, &full),
		  0);
	CHECK_U64(some, 146900683);
	CHECK_U64(full, 0);
	CHECK_I64(psi_parse("some avg10=0.02 avg60=0.92 avg300=2.60 total=94079740\n"
			    "full avg10=0.02 avg60=0.86 avg300=2.52 total=91155963",
			    &some, &full),
		  0);
	CHECK_U64(full, 91155963);
	/* the system's cpu file before 5.13 has no "full" line */
	CHECK_I64(psi_parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=42\n", &some, &full), 0);
	CHECK_U64(some, 42);
	CHECK_U64(full, 0);
	CHECK_I64(psi_parse("", &some, &full), -EINVAL);
	CHECK_I64(psi_parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n", &some, &full),
		  -EINVAL);
	CHECK_I64(psi_parse("some avg10=0.00 total=x\n", &some, &full), -EINVAL);
	CHECK_STR(psi_res_name(PSI_IO), "io");
}
