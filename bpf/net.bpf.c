// SPDX-License-Identifier: GPL-2.0
/*
 * TCP and socket IO, from tracepoints only (no kprobes: many kernels have none).
 *
 * A socket gets an owner in process context — when a target process connects
 * (inet_sock_set_state to SYN_SENT) or first sends or receives on it
 * (sock_send_length / sock_recv_length) — and keeps it in the socket's own storage
 * (net_socks, socket-local storage). Everything that happens later in softirq context
 * (the handshake completing, RTT samples from tcp_probe, retransmits, the close) is
 * attributed through it, never to the task that happens to be current. Socket-local
 * storage rather than a hash map keyed by the socket's address: a lookup is a pointer
 * check (tcp_probe runs for every segment received by any socket, traced or not), it
 * has no capacity to run out of, and it goes away with the socket. Remote endpoints (IPv4 stored
 * v4-mapped, IPv6) get an index in a small table for per-remote connect and RTT distributions.
 */
#include "core.h"
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7

/*
 * Bytes sent (received) come from sock_send_length (sock_recv_length), or on kernels
 * without that tracepoint from the TCP socket's own counter when it closes.
 */
const volatile __u32 cfg_net_close_tx = 0;
const volatile __u32 cfg_net_close_rx = 0;

struct sock_info {
	__u64 open_ns;	/* connect started, or first seen in use */
	__u64 estab_ns; /* handshake done (active), or first seen in use */
	__u32 slot;
	__u32 pid;    /* the owner's: its slot may be recycled while the socket lives on */
	__u32 remote; /* index + 1 into net_remotes, 0 = none */
	__u32 retrans;
	__u8 active;
	__u8 established;
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_info);
} net_socks SEC(".maps");

static __always_inline struct sock_info *sock_info_of(const struct sock *sk)
{
	return bpf_sk_storage_get(&net_socks, (struct sock *)sk, NULL, 0);
}

/* @sk's record, set to @init (whether or not it had one). NULL if out of memory. */
static __always_inline struct sock_info *sock_info_set(const struct sock *sk,
						       const struct sock_info *init)
{
	struct sock_info *si = bpf_sk_storage_get(&net_socks, (struct sock *)sk, NULL,
						  BPF_SK_STORAGE_GET_F_CREATE);

	if (!si) {
		stat_inc(STAT_SOCKS_FULL);
		return NULL;
	}
	*si = *init;
	return si;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NET_REMOTE_MAX);
	__type(key, struct net_remote_key);
	__type(value, __u32);
} net_remote_idx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NET_REMOTE_MAX);
	__type(key, __u32);
	__type(value, struct net_remote_rec);
} net_remotes SEC(".maps");

__u32 net_next_remote = 0;

/* Socket fields are read directly from the tracepoints' BTF-typed pointers: no helper call. */
static __always_inline bool inet_tcp(const struct sock *sk)
{
	__u16 fam = sk->__sk_common.skc_family;

	return (fam == AF_INET || fam == AF_INET6) && sk->sk_protocol == IPPROTO_TCP;
}

static __always_inline void remote_key(const struct sock *sk, struct net_remote_key *k)
{
	__u16 fam = sk->__sk_common.skc_family;

	__builtin_memset(k, 0, sizeof(*k));
	k->family = fam;
	k->port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (fam == AF_INET) {
		__u32 a = sk->__sk_common.skc_daddr;

		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		__builtin_memcpy(&k->addr[12], &a, 4);
	} else {
		BPF_CORE_READ_INTO(&k->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* 1-based index of @sk's remote endpoint in net_remotes, allocated on first use. */
static __always_inline __u32 remote_index(const struct sock *sk)
{
	struct net_remote_key k;
	struct net_remote_rec *r;
	__u32 idx, *known;

	remote_key(sk, &k);
	known = bpf_map_lookup_elem(&net_remote_idx, &k);
	if (known)
		return *known;
	idx = __sync_fetch_and_add(&net_next_remote, 1);
	if (idx >= NET_REMOTE_MAX) {
		stat_inc(STAT_REMOTES_FULL);
		return 0;
	}
	r = bpf_map_lookup_elem(&net_remotes, &idx);
	if (!r)
		return 0;
	idx++;
	if (bpf_map_update_elem(&net_remote_idx, &k, &idx, BPF_NOEXIST)) {
		known = bpf_map_lookup_elem(&net_remote_idx, &k); /* lost a race */
		return known ? *known : 0;
	}
	r->key = k;
	return idx;
}

static __always_inline struct net_remote_rec *remote_of(struct sock_info *si)
{
	__u32 idx = si->remote - 1;

	return si->remote ? bpf_map_lookup_elem(&net_remotes, &idx) : NULL;
}

/* Add @v to the target-wide row @kind of remote @r, allocating it on first use. */
static __always_inline void remote_row_add(struct net_remote_rec *r, __u32 remote, __u16 kind,
					   __u64 v)
{
	__u16 *slot_idx = kind == ROW_REMOTE_CONNECT ? &r->row_connect : &r->row_rtt;
	struct stat_row *row;
	__u32 idx = *slot_idx;

	if (!idx) {
		idx = row_alloc(SLOT_NONE, kind, remote);
		*slot_idx = idx;
	}
	row = bpf_map_lookup_elem(&core_rows, &idx);
	if (row)
		row_add(row, v);
}

/* A distribution of the socket's owner, if its slot is still the owner's. */
static __always_inline void sock_row_add(const struct sock_info *si, __u16 kind, __u64 v)
{
	struct proc_rec *p = proc_of_owner(si->slot, si->pid);
	struct stat_row *row;

	if (p && (row = row_get(p, si->slot, kind)))
		row_add(row, v);
}

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2

/*
 * The payload a closing TCP connection carried, from its counters. bytes_acked also
 * counts a byte of sequence space for the SYN of an active open (acknowledged in
 * tcp_rcv_synsent_state_process) and one for an acknowledged FIN; bytes_received one
 * for a received FIN. A passive socket starts past its SYN.
 */
static __always_inline void tcp_payload(const struct sock *sk, const struct sock_info *si,
					__u64 *tx, __u64 *rx)
{
	/* the tracepoint's pointer is typed struct sock: tcp_sock fields by probe read */
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u8 shut = BPF_CORE_READ_BITFIELD(sk, sk_shutdown);
	__u64 acked = BPF_CORE_READ(tp, bytes_acked), received = BPF_CORE_READ(tp, bytes_received);

	if (si->active && acked)
		acked--;
	if ((shut & SEND_SHUTDOWN) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq) &&
	    acked)
		acked--;
	if ((shut & RCV_SHUTDOWN) && received)
		received--;
	*tx = acked;
	*rx = received;
}

static __always_inline void emit_close(const struct sock *sk, struct sock_info *si, __u64 now,
				       __u64 tx, __u64 rx)
{
	struct ev_tcp_close *e = bpf_ringbuf_reserve(&core_events, sizeof(*e), 0);
	struct proc_rec *p = proc_of_owner(si->slot, si->pid);

	if (!e) {
		stat_inc(STAT_RB_DROPS);
		return;
	}
	e->kind = EV_TCP_CLOSE;
	e->pid = p ? p->pid : 0;
	e->slot = p ? si->slot : SLOT_NONE;
	e->remote = si->remote ? si->remote - 1 : ~0U;
	e->ts_ns = now;
	e->lifetime_ns = si->estab_ns && now > si->estab_ns ? now - si->estab_ns : 0;
	e->tx_bytes = tx;
	e->rx_bytes = rx;
	e->retransmits = si->retrans;
	e->lport = sk->__sk_common.skc_num;
	e->passive = !si->active;
	e->pad = 0;
	remote_key(sk, &e->key);
	event_submit(e);
}

SEC("?tp_btf/inet_sock_set_state")
int BPF_PROG(net_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct net_remote_rec *r;
	struct sock_info *si;
	struct proc_rec *p;
	__u64 now;

	if (!inet_tcp(sk))
		return 0;
	now = bpf_ktime_get_ns();
	if (newstate == TCP_SYN_SENT) {
		/* connect(): process context, the caller owns the socket */
		struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);
		struct sock_info n = {.open_ns = now, .active = 1};

		if (!c)
			return 0;
		p = proc_of(c->slot);
		n.slot = c->slot;
		n.pid = p ? p->pid : 0;
		/* the target's remotes: a peer's connections are its own */
		n.remote = p && (p->flags & PROC_F_PEER) ? 0 : remote_index(sk);
		if (!(si = sock_info_set(sk, &n)))
			return 0;
		if (p)
			__sync_fetch_and_add(&p->net.connects, 1);
		if ((r = remote_of(si)))
			__sync_fetch_and_add(&r->connects, 1);
		return 0;
	}
	si = sock_info_of(sk);
	if (!si)
		return 0;
	r = remote_of(si);
	p = proc_of_owner(si->slot, si->pid);
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED) {
		__u64 lat = now - si->open_ns;

		si->estab_ns = now;
		si->established = 1;
		sock_row_add(si, ROW_TCP_CONNECT, lat);
		if (r)
			remote_row_add(r, si->remote, ROW_REMOTE_CONNECT, lat);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (si->active && !si->established) {
		/* refused, reset or timed out before the handshake completed */
		if (p)
			__sync_fetch_and_add(&p->net.connect_failures, 1);
		if (r)
			__sync_fetch_and_add(&r->connect_failures, 1);
	} else {
		__u64 tx, rx;

		tcp_payload(sk, si, &tx, &rx);
		if (p) {
			__sync_fetch_and_add(&p->net.closes, 1);
			if (cfg_net_close_tx)
				__sync_fetch_and_add(&p->net.tx_bytes, tx);
			if (cfg_net_close_rx)
				__sync_fetch_and_add(&p->net.rx_bytes, rx);
		}
		if (r) {
			__sync_fetch_and_add(&r->tx_bytes, tx);
			__sync_fetch_and_add(&r->rx_bytes, rx);
		}
		if (si->estab_ns)
			sock_row_add(si, ROW_TCP_LIFETIME, now - si->estab_ns);
		emit_close(sk, si, now, tx, rx);
	}
	bpf_sk_storage_delete(&net_socks, (struct sock *)sk);
	return 0;
}

SEC("?tp_btf/tcp_probe")
int BPF_PROG(net_probe, struct sock *sk, const struct sk_buff *skb)
{
	struct sock_info *si = sock_info_of(sk);
	struct net_remote_rec *r;
	__u64 srtt_ns;

	if (!si)
		return 0;
	/* srtt_us holds 8 times the smoothed RTT in microseconds */
	srtt_ns = (__u64)(BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3) * 1000;
	if (!srtt_ns)
		return 0;
	sock_row_add(si, ROW_TCP_RTT, srtt_ns);
	if ((r = remote_of(si)))
		remote_row_add(r, si->remote, ROW_REMOTE_RTT, srtt_ns);
	return 0;
}

SEC("?tp_btf/tcp_retransmit_skb")
int BPF_PROG(net_retrans, const struct sock *sk)
{
	struct sock_info *si = sock_info_of(sk);
	struct net_remote_rec *r;
	struct proc_rec *p;

	if (!si)
		return 0;
	si->retrans++;
	if ((p = proc_of_owner(si->slot, si->pid)))
		__sync_fetch_and_add(&p->net.retransmits, 1);
	if ((r = remote_of(si)))
		__sync_fetch_and_add(&r->retransmits, 1);
	return 0;
}

/* Process context: count the bytes, and adopt a TCP socket we did not see open. */
static __always_inline void sock_io(struct sock *sk, int ret, bool tx)
{
	__u16 fam = sk->__sk_common.skc_family;
	struct task_ctx *c;
	struct proc_rec *p;

	if (ret <= 0 || (fam != AF_INET && fam != AF_INET6))
		return;
	c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);
	if (!c || !(p = proc_of(c->slot)))
		return;
	__sync_fetch_and_add(tx ? &p->net.tx_bytes : &p->net.rx_bytes, ret);
	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	if (!sock_info_of(sk)) {
		/* accepted, or opened before we attached: followed from here on */
		__u64 now = bpf_ktime_get_ns();
		struct sock_info n = {.open_ns = now,
				      .estab_ns = now,
				      .slot = c->slot,
				      .pid = p->pid,
				      .established = 1};

		n.remote = p->flags & PROC_F_PEER ? 0 : remote_index(sk);
		sock_info_set(sk, &n);
	}
}

SEC("?tp_btf/sock_send_length")
int BPF_PROG(net_send, struct sock *sk, int ret, int flags)
{
	sock_io(sk, ret, true);
	return 0;
}

SEC("?tp_btf/sock_recv_length")
int BPF_PROG(net_recv, struct sock *sk, int ret, int flags)
{
	sock_io(sk, ret, false);
	return 0;
}
