#!/usr/bin/env bash
# Tests of the project's own tools (tools/*.sh): each test_* function of the test_*.sh
# files here runs in a subshell with `set -eEuo pipefail` in a fresh $T; no root needed.
#   usage: tests/tools/run.sh [NAME-FILTER...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
export ROOT
filters=("$@")
# shellcheck source=tests/counts.sh
source "$here/../counts.sh"

die() {
	echo "    $*" >&2
	exit 1
}
export -f die

for file in "$here"/test_*.sh; do
	for t in $(bash -c "source '$file'; declare -F" | awk '$3 ~ /^test_/ { print $3 }'); do
		name="$(basename "$file" .sh)::$t"
		if [ ${#filters[@]} -gt 0 ]; then
			match=
			for f in "${filters[@]}"; do [[ $name == *"$f"* ]] && match=1; done
			[ -n "$match" ] || continue
		fi
		log=$(mktemp)
		(
			T=$(mktemp -d /tmp/procscope-tools.XXXXXX)
			export T
			trap 'rm -rf "$T"' EXIT
			source "$file"
			set -eEuo pipefail
			cd "$T"
			"$t"
		) > "$log" 2>&1
		if [ $? -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   $name"
		else
			failed=$((failed + 1))
			echo "FAIL $name"
			sed 's/^/    /' "$log" | tail -n 20
		fi
		rm -f "$log"
	done
done
summary
exit $((failed > 0))
