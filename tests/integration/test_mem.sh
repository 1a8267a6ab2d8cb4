# shellcheck shell=bash
# Memory: page faults from the kernel's own counters, peak RSS, RSS of live processes.

test_fresh_pages_fault_and_peak_rss() {
	"$PROCSCOPE" --json -o out.json -- "$WL/touchmem" 200 > wl.out
	local pages m
	pages=$(awk '{ print $2 }' wl.out)
	m=$(report out.json | jq -c '.processes[] | select(.comm == "touchmem") | .mem')
	assert_ge "$(jq .minor_faults <<< "$m")" "$pages" "a fault per touched page"
	assert_within "$(jq .rss_peak_bytes <<< "$m")" $((200 * 1048576)) 10 "peak RSS"
	# anonymous memory needs no IO; loading the program itself may, a page or two
	assert_le "$(jq .major_faults <<< "$m")" 5 "major faults"
	assert_ge "$(q out.json .target.mem.minor_faults)" "$pages"
}

test_live_process_rss() {
	local pid
	pid=$(start_gated "$WL/touchmem" 100 1500)
	"$PROCSCOPE" -v -p "$pid" --json -o out.json -i 500ms 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	wait "$ps"
	# an interval taken while it held the memory saw it resident
	assert_ge "$(jq -s '[.[] | select(.type == "interval") | .processes[] | select(.pid == '"$pid"') |
		.mem.rss_bytes] | max' out.json)" $((95 * 1048576))
	assert_within "$(q out.json ".processes[] | select(.pid == $pid) | .mem.rss_peak_bytes")" \
		$((100 * 1048576)) 10
	assert_ge "$(q out.json ".processes[] | select(.pid == $pid) | .mem.minor_faults")" 25600
}
