// SPDX-License-Identifier: GPL-2.0
/*
 * TCP peers with known traffic, IPv4 or IPv6.
 *   tcpecho server ADDR PORT N   accept N connections; echo each until EOF
 *   tcpecho sink ADDR PORT N     accept N connections; read each until EOF
 *   tcpecho client ADDR PORT CONNS BYTES
 *                                CONNS connections, each: send BYTES, half-close,
 *                                read BYTES back; prints "sent S received R"
 *   tcpecho bulk ADDR PORT BYTES one connection sending BYTES
 *   tcpecho slow ADDR PORT N MS  accept N connections; wait MS before echoing each
 * A server prints "listening" once it accepts connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "wl_common.h"

static int resolve(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	return -1;
}

static int serve(const char *addr, int port, int n, int echo, int delay_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(addr, port, &ss, &len), one = 1, ls;
	static char buf[65536];

	ls = socket(fam, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&ss, len) || listen(ls, 64)) {
		perror("listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int c = accept(ls, NULL, NULL);
		ssize_t r;

		if (c < 0)
			return 1;
		if (delay_ms)
			usleep((useconds_t)delay_ms * 1000);
		while ((r = read(c, buf, sizeof(buf))) > 0)
			if (echo && write(c, buf, (size_t)r) != r)
				break;
		close(c);
	}
	return 0;
}

static int dial(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(addr, port, &ss, &len);
	int s = socket(fam, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "connect %s:%d: %s\n", addr, port, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

static int client(const char *addr, int port, int conns, long bytes)
{
	static char buf[65536];
	long sent = 0, got = 0;
	int failed = 0;

	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < conns; i++) {
		int s = dial(addr, port);
		long left = bytes;
		ssize_t r;

		if (s < 0) {
			failed++;
			continue;
		}
		while (left > 0) {
			r = write(s, buf, left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));
			if (r <= 0)
				break;
			left -= r;
			sent += r;
		}
		shutdown(s, SHUT_WR);
		while ((r = read(s, buf, sizeof(buf))) > 0)
			got += r;
		close(s);
	}
	printf("sent %ld received %ld failed %d\n", sent, got, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	wl_gate();
	if (!strcmp(argv[1], "server"))
		return serve(argv[2], atoi(argv[3]), atoi(argv[4]), 1, 0);
	if (!strcmp(argv[1], "sink"))
		return serve(argv[2], atoi(argv[3]), atoi(argv[4]), 0, 0);
	if (!strcmp(argv[1], "slow") && argc > 5)
		return serve(argv[2], atoi(argv[3]), atoi(argv[4]), 1, atoi(argv[5]));
	if (!strcmp(argv[1], "client") && argc > 5)
		return client(argv[2], atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
	if (!strcmp(argv[1], "bulk")) {
		static char buf[65536];
		long left = atol(argv[4]);
		int s = dial(argv[2], atoi(argv[3]));

		if (s < 0)
			return 1;
		while (left > 0) {
			ssize_t r = write(s, buf,
					  left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));

			if (r <= 0)
				return 1;
			left -= r;
		}
		close(s);
		return 0;
	}
	return 2;
}
