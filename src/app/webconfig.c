// SPDX-License-Identifier: GPL-2.0
/* --web-config: the exporter-toolkit's web configuration; see webconfig.h. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "app/webconfig.h"
#include "lib/util.h"

#define PEM_MAX (1u << 20) /* a certificate chain or a key: far less */

/* The scalar of node @n, or NULL. */
static const char *scalar(yaml_document_t *doc, int n)
{
	yaml_node_t *node = yaml_document_get_node(doc, n);

	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
						      : NULL;
}

/* The PEM file @file (relative to @dir) into *@out. */
static int read_pem(const char *dir, const char *file, const char *what, char **out, char *err,
		    size_t errlen)
{
	char path[4096];
	size_t len;

	if (file[0] == '/' || !dir)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, file);
	free(*out);
	*out = read_input(path, what, PEM_MAX, &len, err, errlen);
	return *out ? 0 : -1;
}

static int parse_tls(yaml_document_t *doc, yaml_node_t *m, const char *dir, struct web_config *wc,
		     char *err, size_t errlen)
{
	if (m->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "'tls_server_config' is not a mapping");
		return -1;
	}
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		const char *k = scalar(doc, pr->key), *v = scalar(doc, pr->value);

		if (!k || !v || !*v) {
			snprintf(err, errlen, "'tls_server_config' has a key without a value");
			return -1;
		}
		if (!strcmp(k, "cert_file")) {
			if (read_pem(dir, v, "certificate", &wc->cert_pem, err, errlen))
				return -1;
		} else if (!strcmp(k, "key_file")) {
			if (read_pem(dir, v, "key", &wc->key_pem, err, errlen))
				return -1;
		} else {
			snprintf(err, errlen,
				 "'tls_server_config.%s' is not supported (procscope reads "
				 "cert_file and key_file)",
				 k);
			return -1;
		}
	}
	if (!wc->cert_pem != !wc->key_pem) {
		snprintf(err, errlen, "'tls_server_config' needs both cert_file and key_file");
		return -1;
	}
	return 0;
}

/* Is @hash one crypt() takes as bcrypt's? */
static bool is_bcrypt(const char *hash)
{
	struct crypt_data *cd;
	bool ok;

	if (strncmp(hash, "$2a$", 4) && strncmp(hash, "$2b$", 4) && strncmp(hash, "$2y$", 4))
		return false;
	cd = xcalloc(1, sizeof(*cd));
	ok = crypt_rn("", hash, cd, sizeof(*cd)) != NULL;
	free(cd);
	return ok;
}

static int parse_users(yaml_document_t *doc, yaml_node_t *m, struct web_config *wc, char *err,
		       size_t errlen)
{
	size_t n;

	if (m->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "'basic_auth_users' is not a mapping of users to hashes");
		return -1;
	}
	n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	wc->users = xcalloc(n + 1, sizeof(*wc->users));
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		const char *k = scalar(doc, pr->key), *v = scalar(doc, pr->value);

		if (!k || !*k || !v || !*v) {
			snprintf(err, errlen, "'basic_auth_users' has a user without a hash");
			return -1;
		}
		if (!is_bcrypt(v)) {
			snprintf(err, errlen,
				 "the hash of user '%s' is not bcrypt's ($2y$..., e.g. from "
				 "htpasswd -nB)",
				 k);
			return -1;
		}
		wc->users[wc->n_users++] = (struct web_user){xstrdup(k), xstrdup(v)};
	}
	return 0;
}

int web_config_parse(const char *text, size_t len, const char *dir, struct web_config *wc,
		     char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = 0;

	memset(wc, 0, sizeof(*wc));
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "cannot parse YAML: out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "not YAML: %s at line %zu",
			 parser.problem ? parser.problem : "a syntax error",
			 parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen,
			 "no settings: expected tls_server_config or basic_auth_users");
		rc = -1;
	}
	for (yaml_node_pair_t *pr = rc ? NULL : root->data.mapping.pairs.start;
	     pr && pr < root->data.mapping.pairs.top && !rc; pr++) {
		const char *k = scalar(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);

		if (k && v && !strcmp(k, "tls_server_config")) {
			rc = parse_tls(&doc, v, dir, wc, err, errlen);
		} else if (k && v && !strcmp(k, "basic_auth_users")) {
			rc = parse_users(&doc, v, wc, err, errlen);
		} else {
			snprintf(err, errlen,
				 "'%s' is not supported (procscope reads tls_server_config and "
				 "basic_auth_users)",
				 k ? k : "?");
			rc = -1;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc)
		web_config_release(wc);
	return rc;
}

int web_config_load(const char *path, struct web_config *wc, char *err, size_t errlen)
{
	char msg[384], *dir = xstrdup(path), *slash = strrchr(dir, '/');
	size_t len;
	char *text = read_input(path, "web config", PEM_MAX, &len, err, errlen);
	int rc;

	memset(wc, 0, sizeof(*wc));
	if (!text) {
		free(dir);
		return -1;
	}
	if (slash)
		*slash = '\0';
	rc = web_config_parse(text, len, slash ? (*dir ? dir : "/") : ".", wc, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "web config '%s': %s", path, msg);
	free(text);
	free(dir);
	return rc;
}

bool web_config_check(const struct web_config *wc, const char *user, const char *pass)
{
	struct crypt_data *cd;
	const char *got, *hash;
	unsigned char diff = 0;
	bool ok;
	size_t n;

	size_t i = 0;

	if (!wc->n_users)
		return false;
	while (i < wc->n_users && strcmp(wc->users[i].name, user))
		i++;
	/* an unknown user costs a hash too: the answer's time does not tell users apart */
	hash = wc->users[i < wc->n_users ? i : 0].hash;
	cd = xcalloc(1, sizeof(*cd));
	got = crypt_rn(pass, hash, cd, sizeof(*cd));
	n = strlen(hash);
	ok = got && strlen(got) == n;
	for (size_t k = 0; ok && k < n; k++) /* in constant time */
		diff |= (unsigned char)(got[k] ^ hash[k]);
	free(cd);
	return i < wc->n_users && ok && diff == 0;
}

void web_config_release(struct web_config *wc)
{
	free(wc->cert_pem);
	free(wc->key_pem);
	for (size_t i = 0; i < wc->n_users; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	memset(wc, 0, sizeof(*wc));
}
