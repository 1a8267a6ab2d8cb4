// SPDX-License-Identifier: GPL-2.0
/* Pressure stall information (psi.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host/psi.h"
#include "lib/util.h"

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=123" and a "full" line (not for the
 * system's cpu before 5.13) */
int psi_parse(const char *text, uint64_t *some, uint64_t *full)
{
	bool got_some = false;

	*some = *full = 0;
	for (const char *line = text; line && *line;) {
		const char *total = strstr(line, "total=");
		const char *eol = strchr(line, '\n');
		uint64_t v;

		if (total && (!eol || total < eol) && sscanf(total, "total=%" SCNu64, &v) == 1) {
			if (!strncmp(line, "some ", 5)) {
				*some = v;
				got_some = true;
			} else if (!strncmp(line, "full ", 5)) {
				*full = v;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return got_some ? 0 : -EINVAL;
}

void psi_read(const char *dir, bool cgroup, struct psi *out)
{
	char path[4200], buf[512];

	for (int r = 0; r < PSI_N; r++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, psi_res_name((enum psi_res)r),
			 cgroup ? ".pressure" : "");
		out->ok[r] = read_file(path, buf, sizeof(buf)) > 0 &&
			     !psi_parse(buf, &out->some_us[r], &out->full_us[r]);
	}
}
