#!/usr/bin/env bats
# Hostile peers: a fake broker (tests/python/hostile_server.py) gets each
# tool through the handshake and then sends what a real broker cannot:
# frame sizes 0, 3 and 2^32-1, strings and counts running past the frame,
# chunks with a bad CRC or counts that disagree, a Close in the middle of a
# delivery, unknown keys and correlation ids, an EOF mid-frame, silence.
# Each tool must then exit non-zero (not by a timeout, not by a signal) with
# one diagnostic line naming the stream and saying what went wrong, and
# without a sanitizer report (run it with BUILDDIR set to an --enable-asan
# build). No broker needed.
#

load helper

setup() {
	SERVER_PID=
}

teardown() {
	stop_server
}

# start_server SCENARIO [OPTIONS]: start the fake broker; sets PORT and URI.
start_server() {
	rm -f "$BATS_TEST_TMPDIR/port"
	"$PY" "$PYDIR/hostile_server.py" "$@" >"$BATS_TEST_TMPDIR/port" \
	    2>>"$BATS_TEST_TMPDIR/server.log" 3>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.05
	done
	PORT=$(head -n 1 "$BATS_TEST_TMPDIR/port")
	if [ -z "$PORT" ]; then
		cat "$BATS_TEST_TMPDIR/server.log" >&2
		return 1
	fi
	URI="rabbitmq-stream://guest:guest@127.0.0.1:$PORT/%2f"
}

stop_server() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

# against TOOL SCENARIO [OPTIONS]: run TOOL (rstream-cat with three input
# lines, rstream-tail with its defaults) against a fresh fake broker playing
# SCENARIO; status, output and stderr as `run --separate-stderr` sets them.
# HOLD is how long the server keeps a connection open after misbehaving;
# TOOL_ARGS are more options for the tool. --retry-for 0: a fault must end
# the run, not start a recovery (which would meet the same fault again).
against() {
	local tool=$1
	shift
	start_server "$@" --hold "${HOLD:-3}" --lifetime "${LIFETIME:-20}"
	if [ "$tool" = rstream-cat ]; then
		# shellcheck disable=SC2086
		run --separate-stderr timeout "${TMO:-30}" rstream-cat --retry-for 0 ${TOOL_ARGS:-} \
		    -u "$URI" s <<<$'a\nb\nc'
	else
		# shellcheck disable=SC2086
		run --separate-stderr timeout "${TMO:-30}" rstream-tail --retry-for 0 ${TOOL_ARGS:-} \
		    -u "$URI" s
	fi
	stop_server
}

# fails_with TOOL WANT SCENARIO [OPTIONS]: TOOL must fail cleanly against
# SCENARIO, its diagnostic containing WANT.
fails_with() {
	local tool=$1 want=$2 line n=0 bad=
	shift 2
	against "$tool" "$@"
	if [ "$status" -eq 0 ]; then
		bad="exit status 0"
	elif [ "$status" -eq 124 ]; then
		bad="timed out"
	elif [ "$status" -ge 125 ]; then
		bad="exit status $status (killed by a signal or could not run)"
	elif [[ $stderr == *Sanitizer* || $stderr == *"runtime error"* ]]; then
		bad="sanitizer report"
	elif [ "${#stderr_lines[@]}" -eq 0 ]; then
		bad="no diagnostic"
	elif [[ ${stderr_lines[0]} != "$tool: s: "* ]]; then
		bad="diagnostic does not start with '$tool: s: '"
	elif [[ ${stderr_lines[0]} != *"$want"* ]]; then
		bad="diagnostic does not say '$want'"
	else
		# One line; rstream-cat may add its "N records read" summary.
		for line in "${stderr_lines[@]}"; do
			n=$((n + 1))
			if [ "$n" -eq 1 ]; then
				continue
			fi
			if [ "$tool" = rstream-cat ] && [ "$n" -eq 2 ] &&
			    [[ $line == "rstream-cat: s: "*" records read, "* ]]; then
				continue
			fi
			bad="more than one diagnostic line"
		done
		if [[ $stderr == *$'\e'* || $stderr == *$'\a'* ]]; then
			bad="control characters in the diagnostic"
		fi
	fi
	if [ -n "$bad" ]; then
		{
			echo "$tool against hostile_server.py $*: $bad"
			echo "status: $status"
			echo "stderr:"
			printf '%s\n' "$stderr"
			echo "server log:"
			cat "$BATS_TEST_TMPDIR/server.log"
		} >&2
		return 1
	fi
	: >"$BATS_TEST_TMPDIR/server.log"
}

both_fail_with() {
	fails_with rstream-tail "$@"
	fails_with rstream-cat "$@"
}

@test "the fake broker itself: a well-behaved run works for both tools" {
	against rstream-tail ok
	assert_equal "$status" 0
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
	assert_equal "$stderr" ''
	against rstream-cat ok
	assert_equal "$status" 0
	assert_equal "$stderr" ''
	against rstream-tail ok --redirect
	assert_equal "$status" 0
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
}

# Frame sizes: during the handshake, after Open, as the Metadata reply, and
# in place of the first Deliver (rstream-tail) or PublishConfirm (rstream-cat).

@test "frame size 0 at every stage" {
	for at in peer open metadata work; do
		both_fail_with 'frame size 0 is below the 4-byte minimum' size0 --at "$at"
	done
}

@test "frame size 3 at every stage" {
	for at in peer open metadata work; do
		both_fail_with 'frame size 3 is below the 4-byte minimum' size3 --at "$at"
	done
}

@test "frame size 2^32-1 at every stage" {
	for at in peer open metadata work; do
		both_fail_with 'frame size 4294967295 exceeds the' size_huge --at "$at"
	done
}

@test "a response too short for its code" {
	both_fail_with 'PeerProperties response frame of 8 bytes is too short' \
	    short_response --at peer
	both_fail_with 'Open response frame of 8 bytes is too short' \
	    short_response --at open
	both_fail_with 'malformed Metadata response' short_response --at metadata
}

@test "the connection closes in the middle of a frame" {
	for at in peer open metadata work; do
		both_fail_with 'connection closed by the broker' eof_mid_frame --at "$at"
	done
}

@test "the server sends Close, during the handshake and after it" {
	for at in peer open metadata work; do
		both_fail_with 'the broker closed the connection: internal error: hostile server going away' \
		    close --at "$at"
	done
}

# Handshake replies.

# bats test_tags=known-bug
@test "a SaslHandshake response whose mechanism runs past the frame" {
	both_fail_with 'SaslHandshake' mechanisms_past_frame
	both_fail_with 'SaslHandshake' mechanisms_count
}

# bats test_tags=known-bug
@test "a PeerProperties response whose map runs past the frame" {
	both_fail_with 'PeerProperties' peer_map_past_frame
}

# bats test_tags=known-bug
@test "an Open response whose map runs past the frame" {
	both_fail_with 'Open' open_map_past_frame
}

@test "a bad Tune" {
	both_fail_with 'unexpected Tune' tune_short
	both_fail_with 'unexpected Tune' tune_early
	both_fail_with 'frame max 100 is too small' tune_tiny_frame_max
}

# Metadata.

@test "a Metadata response with a string running past the frame" {
	both_fail_with 'malformed Metadata response' metadata_string_past_frame
}

@test "a Metadata response with counts that cannot fit" {
	both_fail_with 'malformed Metadata response' metadata_count
	both_fail_with 'malformed Metadata response' metadata_replicas_count
}

@test "a Metadata response naming a leader missing from the broker table" {
	both_fail_with 'malformed Metadata response' metadata_bad_leader
}

# Deliver (rstream-tail).

@test "rstream-tail: a chunk with a bad CRC" {
	fails_with rstream-tail 'bad chunk: chunk at offset 0 fails its CRC-32 check' \
	    deliver_bad_crc
	assert_equal "$output" ''
}

@test "rstream-tail: a chunk whose counts disagree with its entries" {
	fails_with rstream-tail 'entries, records and data length disagree with its header' \
	    deliver_counts_disagree
	fails_with rstream-tail 'chunk has 3 entries but only 2 records' \
	    deliver_entries_exceed_records
}

@test "rstream-tail: an entry or the data running past the chunk" {
	fails_with rstream-tail 'entry of 1000 bytes runs past the chunk data' \
	    deliver_entry_past_data
	fails_with rstream-tail 'chunk data length 4096 runs past the 18 bytes received' \
	    deliver_data_len_past
	fails_with rstream-tail 'sub-entry record runs past its batch' \
	    deliver_subentry_past
}

@test "rstream-tail: a truncated chunk header, a bad magic, an empty Deliver" {
	fails_with rstream-tail 'chunk of 20 bytes is shorter than its 48-byte header' \
	    deliver_truncated_header
	fails_with rstream-tail 'chunk of 20 bytes is shorter than its 48-byte header' \
	    deliver_truncated_header_snap
	fails_with rstream-tail 'chunk starts with 0x42, not magic 5' deliver_bad_magic
	fails_with rstream-tail 'malformed Deliver' deliver_empty
}

# bats test_tags=known-bug
@test "rstream-tail: a chunk whose offsets wrap past 2^64" {
	fails_with rstream-tail 'offset' deliver_offset_wrap
}

@test "rstream-tail: a Close between two chunks keeps what was printed" {
	fails_with rstream-tail 'the broker closed the connection: internal error: node going down' \
	    close_mid_delivery
	assert_equal "$status" 75
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
}

# PublishConfirm (rstream-cat).

@test "rstream-cat: a PublishConfirm for another publisher" {
	fails_with rstream-cat 'PublishConfirm' confirm_unknown_publisher
}

@test "rstream-cat: PublishConfirm and PublishError with counts that cannot fit" {
	fails_with rstream-cat 'malformed PublishConfirm' confirm_hostile_count
	fails_with rstream-cat 'malformed PublishConfirm' confirm_negative_count
	fails_with rstream-cat 'malformed PublishError' error_hostile_count
}

@test "rstream-cat: confirms for ids never published are not counted" {
	# They are ignored; the records stay unconfirmed until --confirm-timeout.
	TOOL_ARGS='--confirm-timeout 1s' HOLD=8 fails_with rstream-cat \
	    '3 records still unconfirmed after 1 s' confirm_stray_ids
	[[ ${stderr_lines[1]} == *'3 records read, 0 confirmed, 0 failed'* ]]
}

@test "rstream-cat: a heartbeat-only broker after Publish meets --confirm-timeout" {
	TOOL_ARGS='--confirm-timeout 1s' HOLD=8 fails_with rstream-cat \
	    '3 records still unconfirmed after 1 s' heartbeat_only --heartbeat 1 --at work
}

# Unknown keys and correlation ids.

# bats test_tags=known-bug
@test "an unknown key" {
	for at in peer work; do
		both_fail_with 'unknown' unknown_key --at "$at"
	done
}

# bats test_tags=known-bug
@test "a response with an unknown correlation id" {
	for at in peer metadata; do
		both_fail_with 'correlation id' unknown_corr --at "$at"
	done
}

# bats test_tags=known-bug
@test "a Close reason with a newline and escapes stays one clean line" {
	both_fail_with 'the broker closed the connection' close_reason_control
}

@test "a Deliver header announcing 256 MiB, then nothing" {
	# Accepted up to the Deliver cap (even by rstream-cat and during the
	# handshake); the tools must then wait and fail cleanly when it leaves.
	both_fail_with 'connection closed by the broker' announce_max_deliver --at work
	both_fail_with 'connection closed by the broker' announce_max_deliver --at peer
}

# Silence and heartbeats.

@test "a broker silent after the handshake is given up after two heartbeats" {
	# Tune proposes a 1 s heartbeat; the server holds the line for 8 s.
	HOLD=8 both_fail_with 'no heartbeat from the broker for 2 s' \
	    silent --heartbeat 1 --at metadata
	HOLD=8 both_fail_with 'no heartbeat from the broker for 2 s' \
	    silent --heartbeat 1 --at work
}

@test "a heartbeat-only broker keeps the tools waiting until it leaves" {
	# Heartbeats every 0.5 s for 4 s instead of a reply: no heartbeat
	# timeout may fire; the tools fail when the connection closes.
	HOLD=4 both_fail_with 'connection closed by the broker' \
	    heartbeat_only --heartbeat 1 --at metadata
}

@test "a broker silent during the handshake: the handshake timeout (--timeout)" {
	TOOL_ARGS='--timeout 2s' HOLD=10 TMO=8 both_fail_with 'no answer to the handshake within 2 s' \
	    silent --at peer
	TOOL_ARGS='--timeout 2s' HOLD=10 TMO=8 fails_with rstream-tail 'no answer to the handshake within 2 s' \
	    heartbeat_only --at open
}

@test "a broker that never answers a request after the handshake: the reply timeout" {
	TOOL_ARGS='--timeout 1500ms' HOLD=10 TMO=8 both_fail_with 'no reply from the broker within 1.5 s' \
	    heartbeat_only --heartbeat 1 --at metadata
}

# The second connection: Metadata names another node as the leader, and
# that connection misbehaves once the tool has settled on it.

@test "faults on the connection to the leader" {
	both_fail_with 'frame size 0 is below the 4-byte minimum' size0 --redirect
	both_fail_with 'connection closed by the broker' eof_mid_frame --redirect
	fails_with rstream-tail 'fails its CRC-32 check' deliver_bad_crc --redirect
	fails_with rstream-tail 'node going down' close_mid_delivery --redirect
	fails_with rstream-cat 'malformed PublishConfirm' confirm_hostile_count --redirect
}

# Random damage: one frame of the conversation mutated as a seed says (a
# flipped bit, a boundary value, a truncation). Whatever the tool makes of
# it, it must neither crash, nor hang, nor print a sanitizer report.

# survives TOOL SCENARIO [OPTIONS]
survives() {
	local tool=$1 bad=
	shift
	against "$tool" "$@"
	if [ "$status" -eq 124 ]; then
		bad="timed out"
	elif [ "$status" -ge 125 ]; then
		bad="exit status $status (killed by a signal or could not run)"
	elif [[ $stderr == *Sanitizer* || $stderr == *"runtime error"* ]]; then
		bad="sanitizer report"
	elif [ "$status" -ne 0 ] && [[ ${stderr_lines[0]:-} != "$tool: s: "* ]]; then
		bad="exit status $status without a diagnostic"
	fi
	if [ -n "$bad" ]; then
		{
			echo "$tool against hostile_server.py $*: $bad"
			echo "status: $status"
			printf 'stderr:\n%s\n' "$stderr"
			echo "server log:"
			cat "$BATS_TEST_TMPDIR/server.log"
		} >&2
		return 1
	fi
	: >"$BATS_TEST_TMPDIR/server.log"
}

@test "one randomly damaged frame never crashes or hangs a tool" {
	local frame
	for frame in 0 1 2 3 4 5 6 7; do
		HOLD=1 survives rstream-tail mutate --frame "$frame" --seed "$((frame + 11))"
		HOLD=1 survives rstream-cat mutate --frame "$frame" --seed "$((frame + 23))"
	done
}
