#!/usr/bin/env bash
# No function longer than MAX lines (default 120) in src/ and bpf/: a body that long
# holds more than one idea (docs/design.md). Counts the lines between a function's
# opening and closing braces, as the kernel style lays them out (each alone at column 0).
#   usage: tools/check-functions.sh [MAX] [FILE...]
set -euo pipefail
max=${1:-120}
shift || true
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	cd "$(dirname "$0")/.."
	files=(src/*/*.c src/*/*.h bpf/*.c bpf/*.h)
fi
awk -v max="$max" '
	FNR == 1 { sig = ""; start = 0 }
	/^[A-Za-z_]/ && !/;[ \t]*$/ { if (!start) { sig = $0; sigline = FNR } }
	/^\{$/ { if (sig != "") start = FNR; next }
	/^\}/ {
		if (start && FNR - start - 1 > max) {
			printf "check-functions: %s:%d: %d lines: %s\n", FILENAME, sigline, FNR - start - 1, sig
			bad++
		}
		start = 0; sig = ""
	}
	END {
		if (bad) { printf "check-functions: %d function(s) over %d lines\n", bad, max; exit 1 }
	}' "${files[@]}"
