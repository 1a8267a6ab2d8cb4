# shellcheck shell=bash
# The Prometheus rules shipped in dist/prometheus: valid for promtool, and each alert
# firing on the input series that should fire it and on no other (promtool test rules,
# tests/tools/data/procscope.rules_test.yml). The dashboard's queries are evaluated
# against a real scrape in tests/integration/test_prometheus.sh.

test_rules_check_and_fire_as_meant() {
	command -v promtool > /dev/null || die "no promtool (tools/install-deps.sh test)"
	promtool check rules "$ROOT/dist/prometheus/procscope.rules.yml" > check.txt 2>&1 ||
		die "$(cat check.txt)"
	grep -q "SUCCESS: 10 rules found" check.txt || die "$(cat check.txt)"
	(cd "$ROOT/tests/tools/data" && promtool test rules procscope.rules_test.yml) > test.txt 2>&1 ||
		die "$(cat test.txt)"
	grep -q SUCCESS test.txt || die "$(cat test.txt)"
	# every alert of the file is tested
	local a
	for a in $(awk '$1 == "-" && $2 == "alert:" { print $3 }' "$ROOT/dist/prometheus/procscope.rules.yml"); do
		grep -q "alertname: $a\$" "$ROOT/tests/tools/data/procscope.rules_test.yml" ||
			die "alert $a has no test"
	done
}
