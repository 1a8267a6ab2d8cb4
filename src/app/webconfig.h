/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --web-config FILE: TLS and basic authentication for the --prometheus endpoint, in the
 * Prometheus exporter-toolkit's web configuration format (YAML):
 *
 *   tls_server_config:
 *     cert_file: server.crt      # PEM; a path relative to FILE's directory
 *     key_file: server.key
 *   basic_auth_users:
 *     alice: $2y$10$...          # bcrypt hashes (htpasswd -B, mkpasswd -m bcrypt)
 *
 * Either part may be left out. Other keys are refused, never ignored: a setting of
 * exporter-toolkit's that procscope does not apply would otherwise be believed in force.
 */
#ifndef PROCSCOPE_WEBCONFIG_H
#define PROCSCOPE_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct web_user {
	char *name, *hash;
};

struct web_config {
	char *cert_pem, *key_pem; /* NUL-terminated; NULL: plain HTTP */
	struct web_user *users;	  /* none: no authentication */
	size_t n_users;
};

/*
 * Parse @len bytes of YAML, with relative paths under @dir, into @wc (its certificate
 * and key read). 0, or -1 with one line in @err.
 */
int web_config_parse(const char *text, size_t len, const char *dir, struct web_config *wc,
		     char *err, size_t errlen);
/* web_config_parse() of the file at @path. */
int web_config_load(const char *path, struct web_config *wc, char *err, size_t errlen);
/* Does @pass match @user's hash? (bcrypt's own cost: tens of milliseconds) */
bool web_config_check(const struct web_config *wc, const char *user, const char *pass);
void web_config_release(struct web_config *wc);

#endif
