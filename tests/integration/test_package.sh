# shellcheck shell=bash
# The Debian package (make deb, debian/): lintian-clean, installed with dpkg, the
# installed binary loading its BPF programs, the man page and completion where man and
# bash look, the service shipped but not enabled, and nothing left behind by remove
# and purge but what each keeps by design (conffiles until purge).

test_debian_package_installs_runs_and_goes_away() {
	local version deb f
	if dpkg-query -W -f='${Status}' procscope 2> /dev/null | grep -q installed; then
		die "a procscope package is already installed on this host: not touching it"
	fi
	version=$(cat "$ROOT/VERSION")
	make -s -C "$ROOT" deb > deb.txt 2>&1 || die "make deb: $(cat deb.txt)"
	deb=$ROOT/build/procscope_${version}_amd64.deb
	assert_eq "$(dpkg-deb -f "$deb" Version)" "$version" "debian/changelog's version is VERSION's"
	lintian --fail-on error,warning,info -I "$deb" > lintian.txt 2>&1 ||
		die "lintian: $(cat lintian.txt)"
	grep -v 'running with root privileges' lintian.txt > tags.txt || true
	[ ! -s tags.txt ] || die "lintian tags: $(cat tags.txt)"
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' > files.txt
	at_exit "dpkg -P procscope > /dev/null 2>&1 || true"
	dpkg -i "$deb" > install.txt 2>&1 || die "dpkg -i: $(cat install.txt)"

	# installed: the binary loads every subsystem on this kernel
	/usr/sbin/procscope --check > check.txt 2>&1 || die "procscope --check: $(cat check.txt)"
	grep -qE '^  core +yes' check.txt || die "$(cat check.txt)"
	assert_eq "$(man -w procscope)" /usr/share/man/man8/procscope.8.gz
	grep -q '^complete -F _procscope procscope$' /usr/share/bash-completion/completions/procscope
	[ -s /usr/share/doc/procscope/docs/alerts.md ] || die "no docs (uncompressed, as linked)"
	jq -e '.panels | length > 10' /usr/share/procscope/grafana/procscope.json > /dev/null ||
		die "no dashboard"
	promtool check rules /usr/share/procscope/prometheus/procscope.rules.yml > rules.txt 2>&1 ||
		die "rules: $(cat rules.txt)"
	# the unit shipped, neither enabled nor started; its configuration as conffiles
	[ -s /usr/lib/systemd/system/procscope.service ] || die "no unit"
	[ ! -e /etc/systemd/system/multi-user.target.wants/procscope.service ] || die "the unit is enabled"
	dpkg-query -W -f='${Conffiles}\n' procscope > conffiles.txt
	grep -q '^ /etc/default/procscope ' conffiles.txt || die "conffiles: $(cat conffiles.txt)"
	grep -q '^ /etc/procscope/alerts ' conffiles.txt || die "conffiles: $(cat conffiles.txt)"

	# removed: every file gone but the conffiles; purged: those too
	dpkg -r procscope > remove.txt 2>&1 || die "dpkg -r: $(cat remove.txt)"
	while read -r f; do
		case $f in
		/etc/default/procscope | /etc/procscope/alerts) [ -e "$f" ] || die "$f gone before purge" ;;
		*) [ ! -e "$f" ] || die "$f left after dpkg -r" ;;
		esac
	done < files.txt
	dpkg -P procscope > purge.txt 2>&1 || die "dpkg -P: $(cat purge.txt)"
	while read -r f; do
		[ ! -e "$f" ] || die "$f left after dpkg -P"
	done < files.txt
	for f in /etc/procscope /usr/share/doc/procscope /var/lib/dpkg/info/procscope.list; do
		[ ! -e "$f" ] || die "$f left after dpkg -P"
	done
	[ "$(wc -l < files.txt)" -ge 15 ] || die "a short package: $(cat files.txt)"
}
