#!/usr/bin/env bash
# The stages of src/ include only what is below them (docs/design.md, *Layout*):
#
#   app       the run: CLI, launch, signals, outputs, the event loop
#   kernel    the BPF session, collection, recycling: the only stage that sees the
#             skeleton and the kernel's ABI structures
#   render    text, JSON, Prometheus, stacks, Perfetto, HTML: formatting only
#   analysis  breakdowns, the critical path, findings, metrics, alerts, baselines
#   symbols   ELF files, symbols, call frame information, perf maps
#   host      /proc, cgroupfs, pressure files, preflight checks
#   model     the data every stage above hands on: snapshot, stacks, timeline
#   lib       generic code: strings, JSON, histograms, protobuf, threads
#
# Three rules, each a line of output when broken:
#   1. a file of stage S includes "T/x.h" only for a T that S may see (the table below,
#      each a subset of the stages under S);
#   2. an include without a stage is a header of include/ (the ABI and the shared
#      histogram math), or a generated one where it belongs: the skeleton in kernel,
#      the HTML assets in render;
#   3. the kernel's ABI structures (every `struct NAME {` in include/*_abi.h) are named
#      in kernel only (and in bpf/ and include/ themselves, which this does not read):
#      the stages above read the model, never a BPF record.
#   usage: tools/check-layers.sh [ROOT]   (ROOT: the tree to check, default: this one)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

declare -A may=(
	[lib]=""
	[model]="lib"
	[host]="model lib"
	[symbols]="host model lib"
	[analysis]="model lib"
	[render]="analysis model lib"
	[kernel]="symbols host model lib"
	[app]="kernel render analysis symbols host model lib"
)
declare -A generated=([procscope.skel.h]=kernel [html_assets.h]=render)

abi_structs=$(sed -n 's/^struct \([a-z_0-9]*\) {.*/\1/p' include/*_abi.h | sort -u)
abi_re="struct ($(echo $abi_structs | tr ' ' '|'))\\b"
bad=0
say() {
	echo "check-layers: $*"
	bad=$((bad + 1))
}

for dir in src/*/; do
	stage=$(basename "$dir")
	if [ -z "${may[$stage]+set}" ]; then
		say "src/$stage/ is not a stage (lib model host symbols analysis render kernel app)"
		continue
	fi
	for f in "$dir"*.[ch]; do
		[ -e "$f" ] || continue
		while IFS=: read -r line inc; do
			case $inc in
			*/*)
				to=${inc%%/*}
				[ "$to" = "$stage" ] && continue
				[[ " ${may[$stage]} " == *" $to "* ]] ||
					say "$f:$line: $stage includes \"$inc\"; $stage may include ${may[$stage]:-no other stage}"
				;;
			*)
				if [ -n "${generated[$inc]+set}" ]; then
					[ "${generated[$inc]}" = "$stage" ] ||
						say "$f:$line: \"$inc\" is ${generated[$inc]}'s alone"
				elif [ ! -e "include/$inc" ]; then
					say "$f:$line: \"$inc\" names no stage: write \"STAGE/$inc\""
				fi
				;;
			esac
		done < <(awk 'match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/) {
				s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
				print FNR ":" s }' "$f")
		[ "$stage" = kernel ] && continue
		while IFS=: read -r line text; do
			say "$f:$line: names $(grep -oE "$abi_re" <<< "$text" | head -n1), the kernel's ABI: only src/kernel/ may (it converts into the model)"
		done < <(grep -nE "$abi_re" "$f" || true)
	done
done
if [ "$bad" -gt 0 ]; then
	echo "check-layers: $bad thing(s) against the stages (docs/design.md, *Layout*)"
	exit 1
fi
echo "check-layers: src/ in stages, every include pointing down"
