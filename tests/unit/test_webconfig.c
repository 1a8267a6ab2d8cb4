// SPDX-License-Identifier: GPL-2.0
/*
 * --web-config files as the Prometheus exporter-toolkit writes them: users with bcrypt
 * hashes checked as libcrypt checks them (an unknown user, a wrong password: no), and
 * everything procscope would not apply refused with its reason, never ignored.
 */
#include <crypt.h>
#include <string.h>

#include "app/webconfig.h"
#include "test.h"

/* A bcrypt hash of @pass at the lowest cost (4): quick to check. */
static void hash_of(const char *pass, char *out, size_t len)
{
	char salt[64];
	struct crypt_data cd;

	memset(&cd, 0, sizeof(cd));
	CHECK(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)) != NULL);
	snprintf(out, len, "%s", crypt_r(pass, salt, &cd));
}

TEST(test_webconfig__users_checked)
{
	char h1[128], h2[128], yaml[512], err[256] = "";
	struct web_config wc;

	hash_of("s3cret", h1, sizeof(h1));
	hash_of("other", h2, sizeof(h2));
	snprintf(yaml, sizeof(yaml), "# users\nbasic_auth_users:\n  alice: %s\n  bob: '%s'\n", h1,
		 h2);
	CHECK_I64(web_config_parse(yaml, strlen(yaml), ".", &wc, err, sizeof(err)), 0);
	CHECK_U64(wc.n_users, 2);
	CHECK(wc.cert_pem == NULL);
	CHECK(web_config_check(&wc, "alice", "s3cret"));
	CHECK(web_config_check(&wc, "bob", "other"));
	CHECK(!web_config_check(&wc, "alice", "other"));
	CHECK(!web_config_check(&wc, "alice", ""));
	CHECK(!web_config_check(&wc, "carol", "s3cret"));
	web_config_release(&wc);
	CHECK_U64(wc.n_users, 0);
}

/* @yaml is refused with @want in its error. */
static void refused(const char *yaml, const char *want)
{
	struct web_config wc;
	char err[256] = "";

	CHECK_I64(web_config_parse(yaml, strlen(yaml), "/nonexistent", &wc, err, sizeof(err)), -1);
	if (!strstr(err, want))
		test_fail(__FILE__, __LINE__, "'%s': error '%s' lacks '%s'", yaml, err, want);
	CHECK_U64(wc.n_users, 0);
	CHECK(wc.cert_pem == NULL && wc.key_pem == NULL);
}

TEST(test_webconfig__refused_with_a_reason)
{
	refused("", "no settings");
	refused("- a\n- b\n", "no settings");
	refused("basic_auth_users: [\n", "not YAML");
	refused("http_server_config:\n  http2: false\n", "'http_server_config' is not supported");
	refused("tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n",
		"'tls_server_config.client_auth_type' is not supported");
	refused("tls_server_config:\n  cert_file: a.pem\n", "cannot read certificate");
	refused("tls_server_config: yes\n", "not a mapping");
	refused("basic_auth_users:\n  alice: s3cret\n", "the hash of user 'alice' is not bcrypt's");
	refused("basic_auth_users:\n  alice: $2b$04$short\n", "not bcrypt's");
	refused("basic_auth_users:\n  alice:\n", "without a hash");
	refused("basic_auth_users: alice\n", "not a mapping");
}
