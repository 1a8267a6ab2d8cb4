// SPDX-License-Identifier: GPL-2.0
/* Which program a failed load refused, and why; see loadlog.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kernel/loadlog.h"

bool loadlog_failed_prog(const char *log, char *name, size_t len)
{
	static const char tail[] = "': failed to load";

	for (const char *p = log; (p = strstr(p, "prog '")); p++) {
		const char *start = p + 6, *end = strchr(start, '\'');

		if (!end || strncmp(end, tail, sizeof(tail) - 1))
			continue;
		snprintf(name, len, "%.*s", (int)(end - start), start);
		return true;
	}
	return false;
}

/* A line of the verifier's log that is not its reason: instructions, source, stats. */
static bool log_noise(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)l[i]))
		i++;
	if (i == n || l[i] == ';' || !strncmp(l + i, "processed ", 10) ||
	    !strncmp(l + i, "verification time", 17) || !strncmp(l + i, "stack depth", 11) ||
	    !strncmp(l + i, "-- ", 3))
		return true;
	while (i < n && isdigit((unsigned char)l[i]))
		i++;
	return i < n && l[i] == ':' && i > 0 && isdigit((unsigned char)l[i - 1]);
}

void loadlog_reason(const char *log, const char *prog, char *out, size_t len)
{
	char begin[96], failed[96];
	const char *p, *end, *best = NULL;
	size_t best_len = 0;

	out[0] = '\0';
	snprintf(begin, sizeof(begin), "prog '%s': -- BEGIN PROG LOAD LOG --", prog);
	snprintf(failed, sizeof(failed), "prog '%s': BPF program load failed: ", prog);
	p = strstr(log, begin);
	if (p) {
		p = strchr(p, '\n');
		end = p ? strstr(p, "-- END PROG LOAD LOG --") : NULL;
		for (; p && end && p < end; p = strchr(p, '\n')) {
			const char *l = ++p, *nl = strchr(l, '\n');
			size_t n = (nl && nl < end ? nl : end) - l;

			if (!log_noise(l, n)) {
				best = l;
				best_len = n;
			}
		}
	}
	if (!best && (p = strstr(log, failed))) {
		best = p + strlen(failed);
		best_len = strcspn(best, "\n");
	}
	/* refused by libbpf itself, before the kernel: its first word about the program */
	snprintf(begin, sizeof(begin), "prog '%s': ", prog);
	for (p = log; !best && (p = strstr(p, begin)); p++) {
		const char *msg = p + strlen(begin);

		if (strncmp(msg, "failed to load", 14) && strncmp(msg, "-- ", 3)) {
			best = msg;
			best_len = strcspn(best, "\n");
		}
	}
	if (best)
		snprintf(out, len, "%.*s", (int)best_len, best);
}
