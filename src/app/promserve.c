// SPDX-License-Identifier: GPL-2.0
/* The /metrics endpoint, on libmicrohttpd; see promserve.h. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/promserve.h"
#include "app/webconfig.h"
#include "lib/util.h"

/*
 * libmicrohttpd is opened (dlopen) when an endpoint is asked for: linked, it and the TLS
 * libraries under it (gnutls, p11-kit, nettle, gmp, ...) were mapped and initialised by
 * every run -- 3 MiB of RSS and a few milliseconds of start-up for what few runs use
 * (issue 23). The functions used, by the names the code below calls.
 */
#define MHD_SONAME "libmicrohttpd.so.12" /* Debian 12's libmicrohttpd12 */
#define MHD_FUNCS(X)                                                                               \
	X(MHD_start_daemon)                                                                        \
	X(MHD_stop_daemon)                                                                         \
	X(MHD_is_feature_supported)                                                                \
	X(MHD_create_response_from_buffer)                                                         \
	X(MHD_destroy_response)                                                                    \
	X(MHD_add_response_header)                                                                 \
	X(MHD_queue_response)                                                                      \
	X(MHD_queue_basic_auth_fail_response)                                                      \
	X(MHD_basic_auth_get_username_password)                                                    \
	X(MHD_free)

static struct {
	void *h;
#define MHD_PTR(f) __typeof__(f) *f;
	MHD_FUNCS(MHD_PTR)
#undef MHD_PTR
} mhd;

/* The library's functions into mhd, once. 0, or -ENOENT with the reason in @err. */
static int mhd_open(char *err, size_t errlen)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	const char *missing = NULL;
	void *h;

	pthread_mutex_lock(&once);
	if (mhd.h) {
		pthread_mutex_unlock(&once);
		return 0;
	}
	h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot serve metrics: %s", dlerror());
		pthread_mutex_unlock(&once);
		return -ENOENT;
	}
#define MHD_SYM(f)                                                                                 \
	if (!(mhd.f = (__typeof__(f) *)dlsym(h, #f)) && !missing)                                  \
		missing = #f;
	MHD_FUNCS(MHD_SYM)
#undef MHD_SYM
	if (missing) {
		snprintf(err, errlen, "cannot serve metrics: %s has no %s", MHD_SONAME, missing);
		dlclose(h);
		memset(&mhd, 0, sizeof(mhd));
		pthread_mutex_unlock(&once);
		return -ENOENT;
	}
	mhd.h = h;
	pthread_mutex_unlock(&once);
	return 0;
}

/* from here on, every call goes through the pointers */
#define MHD_CALL(f) (*mhd.f)
#define MHD_start_daemon MHD_CALL(MHD_start_daemon)
#define MHD_stop_daemon MHD_CALL(MHD_stop_daemon)
#define MHD_is_feature_supported MHD_CALL(MHD_is_feature_supported)
#define MHD_create_response_from_buffer MHD_CALL(MHD_create_response_from_buffer)
#define MHD_destroy_response MHD_CALL(MHD_destroy_response)
#define MHD_add_response_header MHD_CALL(MHD_add_response_header)
#define MHD_queue_response MHD_CALL(MHD_queue_response)
#define MHD_queue_basic_auth_fail_response MHD_CALL(MHD_queue_basic_auth_fail_response)
#define MHD_basic_auth_get_username_password MHD_CALL(MHD_basic_auth_get_username_password)
#define MHD_free MHD_CALL(MHD_free)

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct promserve {
	struct MHD_Daemon *d;
	int fd; /* the listening socket until libmicrohttpd takes it */
	pthread_mutex_t lock;
	char *text; /* the latest exposition */
	size_t len;
	uint64_t scrapes;
	struct web_config wc;  /* TLS and users; all empty: plain HTTP, to anyone */
	void (*on_post)(void); /* POST /flight-recorder, NULL: refused */
};

/* A request with the right user and password, if users are configured; else a 401 queued. */
static bool authorized(struct promserve *p, struct MHD_Connection *c, enum MHD_Result *ret)
{
	static const char denied[] = "procscope: a user and password are needed\n";
	char *pass = NULL, *user;
	struct MHD_Response *r;
	bool ok;

	if (!p->wc.n_users)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = user && pass && web_config_check(&p->wc, user, pass);
	MHD_free(user);
	MHD_free(pass);
	if (ok)
		return true;
	r = MHD_create_response_from_buffer(sizeof(denied) - 1, (void *)denied,
					    MHD_RESPMEM_PERSISTENT);
	*ret = r ? MHD_queue_basic_auth_fail_response(c, "procscope", r) : MHD_NO;
	if (r)
		MHD_destroy_response(r);
	return false;
}

static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -1;
	*port = (unsigned int)v;
	return 0;
}

int promserve_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err,
		    size_t errlen)
{
	char host[256] = "";
	const char *colon = strrchr(spec, ':'), *port_s = spec;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	unsigned int port;

	memset(ss, 0, sizeof(*ss));
	if (colon) {
		size_t n = (size_t)(colon - spec);

		port_s = colon + 1;
		if (n >= sizeof(host)) {
			snprintf(err, errlen, "'%s': the address is too long", spec);
			return -EINVAL;
		}
		memcpy(host, spec, n);
		host[n] = '\0';
		/* "[::1]" */
		if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
			memmove(host, host + 1, n - 2);
			host[n - 2] = '\0';
		}
	}
	if (parse_port(port_s, &port)) {
		snprintf(err, errlen, "'%s': expected [ADDRESS:]PORT, PORT from 1 to 65535", spec);
		return -EINVAL;
	}
	if (!host[0]) {
		in6->sin6_family = AF_INET6; /* every address, v4 too (not v6-only) */
		in6->sin6_addr = in6addr_any;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	if (!strcmp(host, "localhost")) {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	snprintf(err, errlen, "'%s': '%s' is not an IPv4 or IPv6 address", spec, host);
	return -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * POST /flight-recorder: a dump asked for -- only of a recorder, and only by a user
 * with a password (--web-config's basic_auth_users): anyone else could fill a disk.
 */
static enum MHD_Result post(struct promserve *p, struct MHD_Connection *c, const char *url)
{
	if (strcmp(url, "/flight-recorder"))
		return reply(c, MHD_HTTP_NOT_FOUND, "procscope: POST only to /flight-recorder\n");
	if (!p->on_post)
		return reply(c, MHD_HTTP_NOT_FOUND, "procscope: no --flight-recorder\n");
	if (!p->wc.n_users)
		return reply(c, MHD_HTTP_FORBIDDEN,
			     "procscope: a dump is asked for by a user with a password only "
			     "(--web-config: basic_auth_users)\n");
	p->on_post();
	return reply(c, MHD_HTTP_ACCEPTED,
		     "procscope: the flight recorder's window is being written\n");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	static const char not_found[] = "procscope: the metrics are at /metrics\n";
	struct promserve *p = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;

	(void)version;
	(void)upload;
	if (!strcmp(method, "POST")) {
		/* the body, if any, read and ignored; the answer once it is all in */
		if (!*state) {
			*state = p;
			return MHD_YES;
		}
		if (*upload_len) {
			*upload_len = 0;
			return MHD_YES;
		}
		if (!authorized(p, c, &ret))
			return ret;
		return post(p, c, url);
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	if (!authorized(p, c, &ret))
		return ret;
	if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(sizeof(not_found) - 1, (void *)not_found,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		pthread_mutex_lock(&p->lock);
		r = MHD_create_response_from_buffer(p->len, p->text ? p->text : (char *)"",
						    MHD_RESPMEM_MUST_COPY);
		p->scrapes++;
		pthread_mutex_unlock(&p->lock);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

int promserve__open(struct promserve **out, const char *spec, struct web_config *wc, char *err,
		    size_t errlen)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct sockaddr_storage ss;
	struct promserve *p;
	socklen_t len;
	int fd, one = 1, zero = 0, e;

	*out = NULL;
	if ((e = promserve_parse(spec, &ss, &len, err, errlen)) || (e = mhd_open(err, errlen)))
		return e;
	if (wc && wc->cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "cannot serve '%s' over TLS: this libmicrohttpd has no TLS",
			 spec);
		return -ENOTSUP;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "cannot listen on '%s': %s", spec, strerror(-e));
		return e;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		e = -errno;
		snprintf(err, errlen, "cannot listen on '%s': %s", spec, strerror(-e));
		close(fd);
		return e;
	}
	p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	pthread_mutex_init(&p->lock, NULL);
	if (wc) {
		p->wc = *wc;
		memset(wc, 0, sizeof(*wc));
	}
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_KEY, 0, p->wc.key_pem},
		{MHD_OPTION_HTTPS_MEM_CERT, 0, p->wc.cert_pem},
		{MHD_OPTION_END, 0, NULL},
	};

	if (p->wc.cert_pem)
		flags |= MHD_USE_TLS;
	p->d = MHD_start_daemon(flags, 0, NULL, NULL, answer, p, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, 64U, MHD_OPTION_CONNECTION_TIMEOUT,
				10U, MHD_OPTION_ARRAY, p->wc.cert_pem ? tls : &tls[2],
				MHD_OPTION_END);
	if (!p->d) {
		snprintf(err, errlen, "cannot serve on '%s': libmicrohttpd did not start%s", spec,
			 p->wc.cert_pem ? " (is the key the certificate's?)" : "");
		promserve__close(p);
		return -EIO;
	}
	p->fd = -1; /* libmicrohttpd's now: it closes it when stopped */
	*out = p;
	return 0;
}

void promserve__publish(struct promserve *p, const char *text, size_t len)
{
	char *copy = xmalloc(len ? len : 1);

	memcpy(copy, text, len);
	pthread_mutex_lock(&p->lock);
	free(p->text);
	p->text = copy;
	p->len = len;
	pthread_mutex_unlock(&p->lock);
}

uint64_t promserve__scrapes(struct promserve *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->scrapes;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void promserve__on_post(struct promserve *p, void (*fn)(void))
{
	if (p)
		p->on_post = fn;
}

void promserve__close(struct promserve *p)
{
	if (!p)
		return;
	if (p->d)
		MHD_stop_daemon(p->d);
	if (p->fd >= 0)
		close(p->fd);
	pthread_mutex_destroy(&p->lock);
	web_config_release(&p->wc);
	free(p->text);
	free(p);
}
