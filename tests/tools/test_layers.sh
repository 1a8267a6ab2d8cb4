# shellcheck shell=bash
# tools/check-layers.sh and tools/check-functions.sh: clean on the tree, and each rule
# caught when it is broken on a copy of it.

# A copy of the sources the checks read, in $T/tree.
copy_tree() {
	mkdir -p tree
	cp -r "$ROOT/src" "$ROOT/include" tree/
}

test_layers_clean() {
	"$ROOT/tools/check-layers.sh" "$ROOT" > out.txt || die "$(cat out.txt)"
	grep -q "every include pointing down" out.txt
}

test_layers_catch_an_include_up() {
	copy_tree
	printf '#include "render/report.h"\n' >> tree/src/model/snapshot.c
	! "$ROOT/tools/check-layers.sh" tree > out.txt || die "a model file including render passed"
	grep -q 'src/model/snapshot.c:[0-9]*: model includes "render/report.h"' out.txt ||
		die "$(cat out.txt)"
}

test_layers_catch_a_stage_less_include() {
	copy_tree
	printf '#include "snapshot.h"\n' >> tree/src/analysis/breakdown.c
	! "$ROOT/tools/check-layers.sh" tree > out.txt || die "an include without its stage passed"
	grep -q '"snapshot.h" names no stage' out.txt || die "$(cat out.txt)"
}

test_layers_catch_the_kernel_abi_above_the_kernel() {
	copy_tree
	printf 'static struct proc_rec leaked;\n' >> tree/src/render/report_text.c
	! "$ROOT/tools/check-layers.sh" tree > out.txt || die "an ABI struct in render passed"
	grep -q 'report_text.c:[0-9]*: names struct proc_rec' out.txt || die "$(cat out.txt)"
}

test_layers_catch_a_new_folder() {
	copy_tree
	mkdir tree/src/misc
	echo 'int x;' > tree/src/misc/x.c
	! "$ROOT/tools/check-layers.sh" tree > out.txt || die "a folder that is no stage passed"
	grep -q 'src/misc/ is not a stage' out.txt || die "$(cat out.txt)"
}

test_functions_clean_and_caught() {
	"$ROOT/tools/check-functions.sh" > out.txt || die "$(cat out.txt)"
	{
		echo 'int long_one(void)'
		echo '{'
		for i in $(seq 121); do echo "	x += $i;"; done
		echo '}'
	} > long.c
	! "$ROOT/tools/check-functions.sh" 120 long.c > out.txt || die "a 121-line function passed"
	grep -q 'long.c:1: 121 lines: int long_one(void)' out.txt || die "$(cat out.txt)"
}
