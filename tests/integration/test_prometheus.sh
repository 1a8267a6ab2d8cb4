# shellcheck shell=bash
# The Prometheus endpoint, scraped by Debian's own Prometheus server: the series exist,
# counters equal the NDJSON report of the same run, rate() and histogram_quantile()
# give what the workload did, promtool finds the exposition clean; a bad address and a
# port in use are refused before anything is loaded; over TLS with basic authentication
# (--web-config), as Prometheus scrapes it.

# Start Prometheus scraping 127.0.0.1:$1 every second (more of the job's settings, YAML
# lines indented by four, in $2); its API on $PROM_API.
start_prometheus() {
	local port web
	port=$1
	web=$(free_port)
	cat > prometheus.yml << EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: procscope
${2:-}
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
	prometheus --config.file=prometheus.yml --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$web" --log.level=warn > prometheus.log 2>&1 &
	BG_PIDS+=($!)
	PROM_PID=$!
	PROM_API=http://127.0.0.1:$web/api/v1
	# ready (its TSDB opened: seconds on a loaded machine), then scraping: its
	# discovery hands targets over up to 5 s later (the target is not up yet: "up" is 0)
	wait_prometheus "curl -sf http://127.0.0.1:$web/-/ready"
	wait_prometheus "curl -sf --data-urlencode 'query=up' '$PROM_API/query' | grep -q procscope"
}

# Run COMMAND until it succeeds, for up to 60 s while Prometheus lives; its log if not.
wait_prometheus() {
	local i
	for i in $(seq 1 600); do
		eval "$1" > /dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2> /dev/null || break
		sleep 0.1
	done
	die "Prometheus did not answer '$1': $(tail -5 prometheus.log)"
}

# The value of instant query $1 (its first series), or "none".
promq() {
	curl -sf --data-urlencode "query=$1" "$PROM_API/query" |
		jq -r '.data.result[0].value[1] // "none"'
}

test_scraped_by_prometheus() {
	local port n pid
	port=$(free_port)
	start_prometheus "$port"
	# known work first (exact counts, a busy CPU, naps of 20 ms), then time to scrape
	"$PROCSCOPE" -i 1 --prometheus "127.0.0.1:$port" --json -o out.json -- sh -c \
		"$WL/getppid_n 4321; $WL/spin 4000 & $WL/sleeper 150 20 > /dev/null; wait; sleep 3" &
	pid=$!
	BG_PIDS+=("$pid")
	# the endpoint answers while it runs, with what promtool calls clean
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt"
	promtool check metrics < metrics.txt > promtool.txt 2>&1 || die "promtool: $(cat promtool.txt)"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")" 404
	wait "$pid"
	# counters, as Prometheus stored them, equal the final report's
	n=$(report out.json | jq '[.processes[] | select(.comm == "getppid_n") | .syscalls[] |
		select(.name == "getppid") | .count] | add')
	assert_eq "$n" 4321
	assert_eq "$(promq 'max_over_time(procscope_syscalls_total{comm="getppid_n",syscall="getppid"}[1m])')" 4321 \
		"getppid calls, as scraped"
	assert_eq "$(promq 'max_over_time(procscope_processes_seen_total{comm="sleeper"}[1m])')" 1
	assert_within "$(promq 'max_over_time(procscope_cpu_seconds_total{comm="spin"}[1m])')" \
		"$(report out.json | jq '[.processes[] | select(.comm == "spin") | .sched.oncpu_ns] | add / 1e9')" \
		5 "spin's CPU time, as scraped and as reported"
	# rate(): spin kept one CPU busy for 4 s
	assert_within "$(promq 'max_over_time(rate(procscope_cpu_seconds_total{comm="spin"}[3s])[1m:1s])')" \
		1.0 25 "spin's CPU rate"
	# histogram_quantile(): the sleeper's naps of 20 ms
	assert_within "$(promq 'histogram_quantile(0.5, max_over_time(procscope_syscall_latency_seconds_bucket{syscall="clock_nanosleep"}[1m]))')" \
		0.020 25 "median nap, from the buckets"
	# procscope's own series
	assert_eq "$(promq 'max_over_time(procscope_events_lost_total{reason="ringbuf_full"}[1m])')" 0
	assert_eq "$(promq 'max_over_time(procscope_table_full_total{table="rows"}[1m])')" 0
	assert_eq "$(promq 'max_over_time(procscope_stat_rows_max[1m])')" "$(q out.json .self.rows_max)"
	assert_ge "$(promq 'max_over_time(procscope_stat_rows[1m])')" 1
	assert_ne "$(promq 'max_over_time(procscope_info[1m])')" none
}

test_labels_and_series_cap() {
	local port
	port=$(free_port)
	"$PROCSCOPE" -i 1 --prometheus "127.0.0.1:$port" --prometheus-labels pid \
		--prometheus-max-series 150 -o out.txt -- sh -c "$WL/getppid_n 10; sleep 2.5" &
	local pid=$!
	BG_PIDS+=("$pid")
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o m1.txt"
	sleep 1.2
	curl -sf "http://127.0.0.1:$port/metrics" -o metrics.txt
	wait "$pid"
	grep -q '^procscope_cpu_seconds_total{comm="[^"]*",cgroup="[^"]*",pid="[0-9]*"}' metrics.txt ||
		die "no pid label: $(grep procscope_cpu_seconds_total metrics.txt)"
	assert_le "$(grep -c '^procscope_' metrics.txt)" 151 "series within the cap"
	assert_ge "$(awk '/^procscope_series_dropped_total / { print $2 }' metrics.txt)" 1 "dropped, and said"
	promtool check metrics < metrics.txt > promtool.txt 2>&1 || die "promtool: $(cat promtool.txt)"
}

test_bad_endpoint_refused_before_loading() {
	check_error 2 "invalid '--prometheus 1.2.3.4.5:80'" --prometheus 1.2.3.4.5:80 -- true
	check_error 2 "invalid '--prometheus 99999'" --prometheus 99999 -- true
	check_error 2 "'--prometheus-labels' needs '--prometheus'" --prometheus-labels pid -- true
	local port
	port=$(free_port)
	python3 -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $port)); s.listen(); print('bound', flush=True); time.sleep(30)" > held.txt &
	BG_PIDS+=($!)
	wait_for held.txt bound
	check_error 1 "cannot listen on '127.0.0.1:$port': Address already in use" \
		--prometheus "127.0.0.1:$port" -- true
	assert_nothing_loaded
}

# --web-config: the endpoint over TLS, to one user with a bcrypt hash -- scraped so by
# Debian's Prometheus; a wrong password and no password get 401, plain HTTP nothing.

test_tls_and_basic_auth_scraped_by_prometheus() {
	local port pid url
	web_config_files
	port=$(free_port)
	url=https://127.0.0.1:$port/metrics
	start_prometheus "$port" "    scheme: https
    tls_config:
      ca_file: $T/cert.pem
    basic_auth:
      username: alice
      password: s3cret"
	"$PROCSCOPE" -i 1 --prometheus "127.0.0.1:$port" --web-config web.yml --json -o out.json -- \
		sh -c "$WL/getppid_n 777; sleep 4" &
	pid=$!
	BG_PIDS+=("$pid")
	wait_for_cmd "curl -sf --cacert cert.pem -u alice:s3cret $url -o metrics.txt"
	promtool check metrics < metrics.txt > promtool.txt 2>&1 || die "promtool: $(cat promtool.txt)"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -u alice:wrong "$url")" 401 \
		"a wrong password"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -u bob:s3cret "$url")" 401 \
		"an unknown user"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem "$url")" 401 "no user"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics" || true)" 000 \
		"plain HTTP"
	wait "$pid"
	assert_eq "$(promq 'max_over_time(up{job="procscope"}[1m])')" 1 "scraped over TLS with the password"
	assert_eq "$(promq 'max_over_time(procscope_syscalls_total{comm="getppid_n",syscall="getppid"}[1m])')" 777 \
		"getppid calls, as scraped"
}

test_web_config_refused_before_loading() {
	web_config_files
	check_error 2 "'--web-config' needs '--prometheus'" --web-config web.yml -- true
	# file name, its text, the error expected
	while IFS='|' read -r f text want; do
		printf '%b' "$text" > "$f"
		check_error 2 "web config '$f': $want" --prometheus 127.0.0.1:1 --web-config "$f" -- true
	done << 'EOF'
h2.yml|http_server_config:\n  http2: false\n|'http_server_config' is not supported
plain.yml|basic_auth_users:\n  alice: s3cret\n|the hash of user 'alice' is not bcrypt's
half.yml|tls_server_config:\n  cert_file: cert.pem\n|'tls_server_config' needs both cert_file and key_file
gone.yml|tls_server_config:\n  cert_file: nothere.pem\n  key_file: key.pem\n|cannot read certificate './nothere.pem'
broken.yml|tls_server_config: [\n|not YAML
EOF
	assert_nothing_loaded
}

# The Grafana dashboard (dist/grafana/procscope.json): every query of every panel, and
# each template variable's label values, evaluated by Prometheus scraping procscope on
# a workload that does a bit of everything (CPU contention, disk, TCP, an alert firing):
# each succeeds and returns data. Grafana's variables become what "All" selects, the
# rate interval 5 s (five scrapes), the range 1 m.
test_dashboard_queries_return_data() {
	local port dash=$ROOT/dist/grafana/procscope.json echo_port d expr n=0 out var
	port=$(free_port)
	echo_port=$(free_port)
	d=${PROCSCOPE_IO_DIR:-$ROOT/build}/dash.$$
	mkdir -p "$d"
	at_exit "rm -rf '$d'"
	start_prometheus "$port"
	"$WL/tcpecho" server 127.0.0.1 "$echo_port" 4 > srv.out &
	BG_PIDS+=($!)
	wait_for srv.out listening
	"$PROCSCOPE" -i 1 --prometheus "127.0.0.1:$port" --alert 'wall > 0' -o report.txt -- sh -c \
		"$WL/spin 3000 & $WL/spin 3000 & $WL/spin 3000 &
		 $WL/iowrite '$d/f' 8 > /dev/null; $WL/fsyncer '$d/g' 20 > /dev/null 2>&1
		 $WL/tcpecho client 127.0.0.1 $echo_port 4 20000 > /dev/null; wait; touch '$d/done'; sleep 8" &
	BG_PIDS+=($!)
	wait_for_cmd "[ -e '$d/done' ]"
	sleep 4 # the last seconds of the work scraped, procscope still serving
	jq -r '.panels[].targets[]?.expr' "$dash" > exprs.txt
	[ "$(wc -l < exprs.txt)" -ge 25 ] || die "$(wc -l < exprs.txt) queries in the dashboard"
	while read -r expr; do
		expr=${expr//'$__rate_interval'/5s}
		expr=${expr//'$__range'/1m}
		expr=${expr//'$instance'/.*}
		expr=${expr//'$comm'/.*}
		expr=${expr//'$syscall'/.*}
		curl -sf --data-urlencode "query=$expr" "$PROM_API/query" > q.json || die "query failed: $expr"
		[ "$(jq -r .status q.json)" = success ] || die "$expr: $(cat q.json)"
		[ "$(jq '.data.result | length' q.json)" -gt 0 ] || die "no data for: $expr"
		n=$((n + 1))
	done < exprs.txt
	# the template variables: label_values(METRIC{...}, LABEL), as Grafana asks for them
	jq -r '.templating.list[] | select(.type == "query") | .query.query' "$dash" > vars.txt
	assert_eq "$(wc -l < vars.txt)" 3
	while read -r var; do
		[[ $var =~ ^label_values\((.+),\ ([a-z]+)\)$ ]] || die "not label_values: $var"
		out=$(curl -sf -G --data-urlencode "match[]=${BASH_REMATCH[1]//'$instance'/.*}" \
			"$PROM_API/label/${BASH_REMATCH[2]}/values") || die "label values failed: $var"
		[ "$(jq '.data | length' <<< "$out")" -gt 0 ] || die "no values for $var: $out"
	done < vars.txt
	echo "    $n queries and 3 variables answered"
}
