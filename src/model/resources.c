// SPDX-License-Identifier: GPL-2.0
/* Names and look-ups of the host's resource facts; see resources.h. */
#include "model/resources.h"

const char *psi_res_name(enum psi_res r)
{
	static const char *const names[PSI_N] = {"cpu", "io", "memory"};

	return r < PSI_N ? names[r] : "?";
}

const char *io_limit_name(enum io_limit_kind k)
{
	static const char *const names[IOL_N] = {"rbps", "wbps", "riops", "wiops"};

	return k < IOL_N ? names[k] : "?";
}

const struct io_limit *io_limit_for(const struct io_cgroup *cg, uint32_t major, uint32_t minor)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->lim[i].major == major && cg->lim[i].minor == minor)
			return &cg->lim[i];
	return NULL;
}
