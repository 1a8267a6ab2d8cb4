/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP endpoint Prometheus scrapes (--prometheus [ADDR:]PORT): GET /metrics answers
 * with the exposition rendered at the last update (prometheus.h), from a thread of
 * libmicrohttpd's; POST /flight-recorder asks for a flight recorder's dump (users with
 * a password only); everything else is 404 (over TLS, and 401 without a valid user, when
 * --web-config says so: webconfig.h). The socket is bound by procscope itself,
 * before anything is loaded, so that a bad address or a port in use is said in one line
 * with its reason.
 */
#ifndef PROCSCOPE_PROMSERVE_H
#define PROCSCOPE_PROMSERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct promserve;
struct web_config;

/*
 * "9464", ":9464", "127.0.0.1:9464", "[::1]:9464", "localhost:9464" (all addresses
 * without one) into @ss. 0, or -EINVAL with the reason in @err.
 */
int promserve_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err,
		    size_t errlen);
/*
 * Listen on @spec and serve: over TLS and with basic authentication as @wc says (NULL:
 * plain HTTP, to anyone; it is the endpoint's from now on). 0, or -errno with a
 * one-line reason in @err.
 */
int promserve__open(struct promserve **out, const char *spec, struct web_config *wc, char *err,
		    size_t errlen);
/* The exposition to serve from now on (@text, @len bytes, is copied). */
void promserve__publish(struct promserve *p, const char *text, size_t len);
/* Scrapes answered so far. */
uint64_t promserve__scrapes(struct promserve *p);
/* POST /flight-recorder calls @fn (from the endpoint's thread); NULL: no such thing. */
void promserve__on_post(struct promserve *p, void (*fn)(void));
void promserve__close(struct promserve *p);

#endif
