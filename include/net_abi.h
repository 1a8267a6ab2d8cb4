/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP and socket accounting shared by bpf/net.bpf.c and userspace. Events raised in
 * softirq context (RTT samples, retransmits, state changes) are attributed through a
 * socket -> owner map filled in process context (connect, send, receive), never to
 * whatever task happens to be current.
 */
#ifndef PROCSCOPE_NET_ABI_H
#define PROCSCOPE_NET_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct proc_net {
	__u64 tx_bytes; /* AF_INET/AF_INET6 sockets, any protocol */
	__u64 rx_bytes;
	__u64 connects;		/* active TCP opens attempted */
	__u64 connect_failures; /* ... that never reached ESTABLISHED */
	__u64 closes;		/* its TCP connections that closed */
	__u64 retransmits;
};

/* A remote endpoint: IPv4 addresses are stored v4-mapped (::ffff:a.b.c.d). */
struct net_remote_key {
	__u8 addr[16];
	__u16 port; /* host order */
	__u16 family;
	__u32 pad;
};

#define NET_REMOTE_MAX 256

struct net_remote_rec {
	struct net_remote_key key; /* family 0 = unused */
	__u64 connects;
	__u64 connect_failures;
	__u64 retransmits;
	__u64 tx_bytes; /* of closed connections (their TCP counters) */
	__u64 rx_bytes;
	__u16 row_connect;
	__u16 row_rtt;
	__u32 pad;
};

/* Ring buffer record when a tracked TCP connection closes (like tcplife). */
struct ev_tcp_close {
	__u32 kind; /* EV_TCP_CLOSE */
	__u32 pid;
	__u32 slot;
	__u32 remote; /* index into the remote table, or ~0 */
	__u64 ts_ns;
	__u64 lifetime_ns;
	__u64 tx_bytes; /* tcp_sock bytes_acked */
	__u64 rx_bytes; /* tcp_sock bytes_received */
	__u32 retransmits;
	__u16 lport;
	__u8 passive;
	__u8 pad;
	struct net_remote_key key;
};

#endif
