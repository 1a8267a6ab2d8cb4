// SPDX-License-Identifier: GPL-2.0
/* Alert rules, one and as a rules file: alerts_add, alerts_add_text. */
#include "analysis/alerts.h"
#include "fuzz.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alerts a = {0};
	char err[512], *s;
	bool base, ival;

	log_verbosity = -1;
	if (!size)
		return 0;
	/* the first byte picks the context: with a baseline, with intervals */
	base = data[0] & 1;
	ival = data[0] & 2;
	s = fuzz_str(data + 1, size - 1);
	if (!s)
		return 0;
	alerts__add(&a, s, base, ival, err, sizeof(err));
	alerts__add_text(&a, s, "fuzz", base, ival, err, sizeof(err));
	alerts__release(&a);
	free(s);
	return 0;
}
