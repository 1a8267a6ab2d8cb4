# shellcheck shell=bash
# TCP: connects, bytes, failures and RTT, attributed through the socket's owner even
# for events the kernel raises in softirq context.

# Start a tcpecho server in the background and wait until it listens.
start_server() {
	local out
	out=$(mktemp "$T/srv.XXXXXX")
	"$@" > "$out" &
	BG_PIDS+=($!)
	SERVER_PID=$!
	wait_for "$out" listening
}

net_check() { # FILE ADDR
	local n
	n=$(report "$1" | jq -c '.target.net')
	assert_eq "$(jq .connects <<< "$n")" 5 "connects"
	assert_eq "$(jq .connect_failures <<< "$n")" 0
	assert_eq "$(jq .tx_bytes <<< "$n")" 500000 "bytes sent"
	assert_eq "$(jq .rx_bytes <<< "$n")" 500000 "bytes received"
	assert_eq "$(jq .closes <<< "$n")" 5
	assert_eq "$(jq .connect.count <<< "$n")" 5 "connect latencies"
	assert_ge "$(jq .connect.p50_ns <<< "$n")" 1000
	assert_le "$(jq .connect.p50_ns <<< "$n")" 1000000000
	assert_eq "$(jq -r --arg a "$2" '.remotes[] | select(.address == $a) | .connects' <<< "$n")" 5 \
		"per remote $2"
	assert_eq "$(jq .connections_closed <<< "$n")" 5
	# each connection's payload, exactly (TCP's counters also count the SYN and FIN)
	assert_eq "$(jq -c '[.connections[] | [.tx_bytes, .rx_bytes]] | unique' <<< "$n")" \
		'[[100000,100000]]' "per connection"
	assert_eq "$(jq -r --arg a "$2" '.remotes[] | select(.address == $a) | .tx_bytes' <<< "$n")" \
		500000 "per remote, bytes sent"
	# the same numbers for the process
	assert_eq "$(report "$1" | jq '.processes[] | select(.comm == "tcpecho") | .net.tx_bytes')" 500000
}

test_tcp_ipv4_counts_exact() {
	local port
	port=$(free_port)
	start_server "$WL/tcpecho" server 127.0.0.1 "$port" 5
	"$PROCSCOPE" --json -o out.json -- "$WL/tcpecho" client 127.0.0.1 "$port" 5 100000 > wl.out
	assert_eq "$(cat wl.out)" "sent 500000 received 500000 failed 0"
	net_check out.json "127.0.0.1:$port"
}

test_tcp_ipv6_counts_exact() {
	local port
	port=$(free_port)
	start_server "$WL/tcpecho" server ::1 "$port" 5
	"$PROCSCOPE" --json -o out.json -- "$WL/tcpecho" client ::1 "$port" 5 100000 > wl.out
	assert_eq "$(cat wl.out)" "sent 500000 received 500000 failed 0"
	net_check out.json "[::1]:$port"
}

test_connect_refused_is_a_failure() {
	local port rc=0
	port=$(free_port)
	"$PROCSCOPE" --json -o out.json -- "$WL/tcpecho" client 127.0.0.1 "$port" 1 10 2> /dev/null || rc=$?
	assert_eq "$rc" 1 "the client's own status"
	assert_eq "$(q out.json .target.net.connects)" 1
	assert_eq "$(q out.json .target.net.connect_failures)" 1
	assert_eq "$(q out.json .target.net.connect.count)" 0 "no latency for a failed connect"
	assert_eq "$(q out.json ".target.net.remotes[0].connect_failures")" 1
}

test_server_side_bytes_and_accepts() {
	local port
	port=$(free_port)
	"$PROCSCOPE" -v --json -o out.json -- "$WL/tcpecho" server 127.0.0.1 "$port" 3 > srv.out 2> err.txt &
	local ps=$!
	wait_for srv.out listening
	"$WL/tcpecho" client 127.0.0.1 "$port" 3 50000 > /dev/null
	wait "$ps"
	local n
	n=$(report out.json | jq -c '.target.net')
	assert_eq "$(jq .accepts <<< "$n")" 3
	assert_eq "$(jq .rx_bytes <<< "$n")" 150000
	assert_eq "$(jq .tx_bytes <<< "$n")" 150000
	assert_eq "$(jq .connects <<< "$n")" 0 "a server does not connect"
	assert_eq "$(jq .closes <<< "$n")" 3
}

bulk_rtt() { # OUT: a 4 MB bulk transfer from A to B, traced; prints rtt p50
	local port
	port=$(free_port)
	start_server ip netns exec "$NS_B" "$WL/tcpecho" sink "$NS_DST" "$port" 1
	"$PROCSCOPE" --json -o "$1" -- ip netns exec "$NS_A" "$WL/tcpecho" bulk "$NS_DST" "$port" 4000000
	wait "$SERVER_PID"
	q "$1" .target.net.rtt.p50_ns
}

test_rtt_rises_under_shaping() {
	netns_pair
	trap 'netns_cleanup; cleanup_bg; rm -rf "$T"' EXIT
	local plain shaped
	plain=$(bulk_rtt plain.json)
	tc -n "$NS_A" qdisc add dev "va$$" root tbf rate 20mbit burst 32kbit latency 400ms
	shaped=$(bulk_rtt shaped.json)
	assert_ge "$(q plain.json .target.net.rtt.count)" 10 "RTT samples"
	assert_ge "$plain" 1000 "a loopback-like RTT is still above 1 us"
	assert_ge "$shaped" $((plain * 10)) "shaped RTT p50 ($shaped) vs unshaped ($plain)"
	assert_eq "$(q shaped.json .target.net.tx_bytes)" 4000000
	# RTT samples arrive in softirq: they must land on the sender, not on whoever was current
	assert_eq "$(report shaped.json | jq '[.processes[] | select(.comm != "tcpecho") |
		.net.rtt.count] | add // 0')" 0
}
