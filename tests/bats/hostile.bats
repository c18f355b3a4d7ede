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
# Every case runs twice: over TCP, and "over TLS:" with the fake broker
# speaking TLS (frames cut into TLS records of random sizes; certificates
# made at test time by tests/tls-certs.sh). The transport must not change
# what the frame decoder sees, so the TLS run of a case is also held to the
# TCP run of the same case, made beside it: the same exit status, the same
# stdout, the same stderr but for the port. At the end, the TLS-only cases:
# a TLS peer that leaves in the middle of a frame (after close_notify, with
# none, inside a record), and a plain server where the URI says TLS.

load helper

setup_file() {
	# Throw-away CA and server certificate (DNS:localhost) for the TLS runs.
	"$BATS_TEST_DIRNAME/../tls-certs.sh" "$BATS_FILE_TMPDIR/certs"
}

setup() {
	CERTS=$BATS_FILE_TMPDIR/certs
	TLS=
}

teardown() {
	local pid
	for pid in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -e "$pid" ] || continue
		kill "$(cat "$pid")" 2>/dev/null || true
	done
}

# over_tls FUNCTION: run a case with every `against` made over TLS too.
over_tls() {
	TLS=1
	"$@"
}

# play TAG tcp|tls|plain-tls TOOL SCENARIO [OPTIONS]: one run of TOOL
# against a fresh fake broker playing SCENARIO (plain-tls: a plain server,
# the tool told to speak TLS). Its results go to $BATS_TEST_TMPDIR/TAG.*:
# status, out, err, log (the server's stderr), port and secs (how long the
# tool ran). Over TLS the tool trusts the test CA and checks the name
# localhost (the fake broker listens on 127.0.0.1 and sends 127.0.0.1 or
# localhost in Metadata).
# HOLD is how long the server keeps a connection open after misbehaving;
# TOOL_ARGS are more options for the tool (TOOL_CMD, rstream-tail's words
# after the stream: "-- COMMAND ..."); TLS_CLOSE is the server's
# --tls-close. --retry-for 0: a fault must end the run, not start a
# recovery (which would meet the same fault again).
play() {
	local mode=$2 tool=$3 f=$BATS_TEST_TMPDIR/$1 port scheme=rabbitmq-stream
	local -a sargs=() targs=()
	shift 3
	if [ "$mode" = tls ]; then
		sargs=(--tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key"
		    --tls-close "${TLS_CLOSE:-notify}")
	fi
	if [ "$mode" != tcp ]; then
		targs=(--cacert "$CERTS/ca.pem" --tls-server-name localhost)
		scheme=rabbitmq-stream+tls
	fi
	: >"$f.port"
	"$PY" "$PYDIR/hostile_server.py" "$@" "${sargs[@]}" --hold "${HOLD:-3}" \
	    --lifetime "${LIFETIME:-20}" >"$f.port" 2>>"$f.log" 3>&- &
	echo $! >"$f.pid"
	# Up to 20 s: python3 with ssl takes seconds to start on a loaded machine.
	for _ in $(seq 400); do
		[ -s "$f.port" ] && break
		sleep 0.05
	done
	port=$(head -n 1 "$f.port")
	if [ -z "$port" ]; then
		echo 125 >"$f.status"
		echo "hostile_server.py did not start" >"$f.err"
		return 0
	fi
	# No password in the URI (the tools would warn): guest is the default.
	local uri="$scheme://guest@127.0.0.1:$port/%2f" st=0 t0=$EPOCHREALTIME
	if [ "$tool" = rstream-cat ]; then
		# shellcheck disable=SC2086
		timeout "${TMO:-30}" rstream-cat --retry-for 0 ${TOOL_ARGS:-} \
		    "${targs[@]}" -u "$uri" s <<<"${INPUT:-$'a\nb\nc'}" >"$f.out" 2>"$f.err" 3>&- || st=$?
	else
		# shellcheck disable=SC2086
		timeout "${TMO:-30}" rstream-tail --retry-for 0 ${TOOL_ARGS:-} \
		    "${targs[@]}" -u "$uri" s ${TOOL_CMD:-} </dev/null >"$f.out" 2>"$f.err" 3>&- || st=$?
	fi
	echo "$st" >"$f.status"
	echo "$t0 $EPOCHREALTIME" | awk '{ printf "%.1f\n", $2 - $1 }' >"$f.secs"
	kill "$(cat "$f.pid")" 2>/dev/null || true
	wait "$(cat "$f.pid")" 2>/dev/null || true
	rm -f "$f.pid"
}

# load_run TAG: status, output, stderr, lines and stderr_lines from TAG's
# files, as `run --separate-stderr` would set them; PORT and SERVER_LOG too.
load_run() {
	local f=$BATS_TEST_TMPDIR/$1
	status=$(cat "$f.status")
	output=$(cat "$f.out")
	stderr=$(cat "$f.err")
	PORT=$(head -n 1 "$f.port")
	SECS=$(cat "$f.secs" 2>/dev/null || echo 0)
	SERVER_LOG=$f.log
	bats_separate_lines lines output
	bats_separate_lines stderr_lines stderr
}

# against TOOL SCENARIO [OPTIONS]: run TOOL (rstream-cat with three input
# lines, or INPUT, rstream-tail with its defaults) against a fresh fake broker playing
# SCENARIO; status, output and stderr as `run --separate-stderr` sets them.
# Under over_tls, the same run is made over TCP and over TLS side by side;
# the TLS run's results are the ones set, and it fails unless both runs
# ended alike (status, stdout, stderr with the port masked).
against() {
	local tool=$1 t_status t_output t_stderr
	shift
	if [ -z "$TLS" ]; then
		play run tcp "$tool" "$@"
		load_run run
		return 0
	fi
	play tcp tcp "$tool" "$@" &
	play tls tls "$tool" "$@"
	wait
	load_run tcp
	t_status=$status t_output=$output t_stderr=${stderr//$PORT/PORT}
	load_run tls
	if [ "$status" != "$t_status" ] || [ "$output" != "$t_output" ] ||
	    [ "${stderr//$PORT/PORT}" != "$t_stderr" ]; then
		{
			echo "$tool against hostile_server.py $*: TLS and TCP differ"
			echo "TCP: status $t_status, stdout:"
			printf '%s\n' "$t_output"
			printf 'stderr:\n%s\n' "$t_stderr"
			echo "TLS: status $status, stdout:"
			printf '%s\n' "$output"
			printf 'stderr:\n%s\n' "${stderr//$PORT/PORT}"
			echo "server log (TCP):"
			cat "$BATS_TEST_TMPDIR/tcp.log"
			echo "server log (TLS):"
			cat "$BATS_TEST_TMPDIR/tls.log"
		} >&2
		return 1
	fi
}

# clean_failure TOOL WANT: the last run failed cleanly (not by a timeout,
# a signal or a sanitizer) with one diagnostic line, starting with
# "TOOL: s: " and containing WANT; else says why and returns 1.
clean_failure() {
	local tool=$1 want=$2 line n=0 bad=
	# shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
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
	[ -z "$bad" ] && return 0
	{
		echo "$bad"
		echo "status: $status"
		echo "stderr:"
		printf '%s\n' "$stderr"
		echo "server log:"
		cat "$SERVER_LOG"
	} >&2
	return 1
}

# fails_with TOOL WANT SCENARIO [OPTIONS]: TOOL must fail cleanly against
# SCENARIO, its diagnostic containing WANT.
fails_with() {
	local tool=$1 want=$2
	shift 2
	against "$tool" "$@"
	if ! clean_failure "$tool" "$want"; then
		echo "(that was $tool against hostile_server.py $*${TLS:+, over TLS})" >&2
		return 1
	fi
}

both_fail_with() {
	fails_with rstream-tail "$@"
	fails_with rstream-cat "$@"
}

harness_ok() {
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
@test "the fake broker itself: a well-behaved run works for both tools" { harness_ok; }
@test "over TLS: the fake broker itself: a well-behaved run works for both tools" { over_tls harness_ok; }

# Frame sizes: during the handshake, after Open, as the Metadata reply, and
# in place of the first Deliver (rstream-tail) or PublishConfirm (rstream-cat).

size0_everywhere() {
	for at in peer open metadata work; do
		both_fail_with 'frame size 0 is below the 4-byte minimum' size0 --at "$at"
	done
}
@test "frame size 0 at every stage" { size0_everywhere; }
@test "over TLS: frame size 0 at every stage" { over_tls size0_everywhere; }

size3_everywhere() {
	for at in peer open metadata work; do
		both_fail_with 'frame size 3 is below the 4-byte minimum' size3 --at "$at"
	done
}
@test "frame size 3 at every stage" { size3_everywhere; }
@test "over TLS: frame size 3 at every stage" { over_tls size3_everywhere; }

size_huge_everywhere() {
	for at in peer open metadata work; do
		both_fail_with 'frame size 4294967295 exceeds the' size_huge --at "$at"
	done
}
@test "frame size 2^32-1 at every stage" { size_huge_everywhere; }
@test "over TLS: frame size 2^32-1 at every stage" { over_tls size_huge_everywhere; }

short_responses() {
	both_fail_with 'PeerProperties response frame of 8 bytes is too short' \
	    short_response --at peer
	both_fail_with 'Open response frame of 8 bytes is too short' \
	    short_response --at open
	both_fail_with 'malformed Metadata response' short_response --at metadata
}
@test "a response too short for its code" { short_responses; }
@test "over TLS: a response too short for its code" { over_tls short_responses; }

eof_mid_frame_everywhere() {
	for at in peer open metadata work; do
		both_fail_with 'connection closed by the broker' eof_mid_frame --at "$at"
	done
}
@test "the connection closes in the middle of a frame" { eof_mid_frame_everywhere; }
@test "over TLS: the connection closes in the middle of a frame" { over_tls eof_mid_frame_everywhere; }

server_close_everywhere() {
	for at in peer open metadata work; do
		both_fail_with 'the broker closed the connection: internal error: hostile server going away' \
		    close --at "$at"
	done
}
@test "the server sends Close, during the handshake and after it" { server_close_everywhere; }
@test "over TLS: the server sends Close, during the handshake and after it" { over_tls server_close_everywhere; }

# Handshake replies.

sasl_mechanisms_past_frame() {
	both_fail_with 'SaslHandshake' mechanisms_past_frame
	both_fail_with 'SaslHandshake' mechanisms_count
}
# bats test_tags=known-bug
@test "a SaslHandshake response whose mechanism runs past the frame" { sasl_mechanisms_past_frame; }
# bats test_tags=known-bug
@test "over TLS: a SaslHandshake response whose mechanism runs past the frame" { over_tls sasl_mechanisms_past_frame; }

peer_map_past_frame() {
	both_fail_with 'PeerProperties' peer_map_past_frame
}
# bats test_tags=known-bug
@test "a PeerProperties response whose map runs past the frame" { peer_map_past_frame; }
# bats test_tags=known-bug
@test "over TLS: a PeerProperties response whose map runs past the frame" { over_tls peer_map_past_frame; }

open_map_past_frame() {
	both_fail_with 'Open' open_map_past_frame
}
# bats test_tags=known-bug
@test "an Open response whose map runs past the frame" { open_map_past_frame; }
# bats test_tags=known-bug
@test "over TLS: an Open response whose map runs past the frame" { over_tls open_map_past_frame; }

bad_tune() {
	both_fail_with 'unexpected Tune' tune_short
	both_fail_with 'unexpected Tune' tune_early
	both_fail_with 'frame max 100 is too small' tune_tiny_frame_max
}
@test "a bad Tune" { bad_tune; }
@test "over TLS: a bad Tune" { over_tls bad_tune; }

# Metadata.

metadata_string_past_frame() {
	both_fail_with 'malformed Metadata response' metadata_string_past_frame
}
@test "a Metadata response with a string running past the frame" { metadata_string_past_frame; }
@test "over TLS: a Metadata response with a string running past the frame" { over_tls metadata_string_past_frame; }

metadata_counts() {
	both_fail_with 'malformed Metadata response' metadata_count
	both_fail_with 'malformed Metadata response' metadata_replicas_count
}
@test "a Metadata response with counts that cannot fit" { metadata_counts; }
@test "over TLS: a Metadata response with counts that cannot fit" { over_tls metadata_counts; }

metadata_bad_leader() {
	both_fail_with 'malformed Metadata response' metadata_bad_leader
}
@test "a Metadata response naming a leader missing from the broker table" { metadata_bad_leader; }
@test "over TLS: a Metadata response naming a leader missing from the broker table" { over_tls metadata_bad_leader; }

# Deliver (rstream-tail).

tail_bad_crc() {
	fails_with rstream-tail 'bad chunk: chunk at offset 0 fails its CRC-32 check' \
	    deliver_bad_crc
	assert_equal "$output" ''
}
@test "rstream-tail: a chunk with a bad CRC" { tail_bad_crc; }
@test "over TLS: rstream-tail: a chunk with a bad CRC" { over_tls tail_bad_crc; }

# --no-crc: the same corrupt chunk is passed through whole, record for
# record, and the run ends well; without it (tail_bad_crc) it is refused.
tail_no_crc() {
	TOOL_ARGS=--no-crc against rstream-tail deliver_bad_crc
	assert_equal "$status" 0
	assert_equal "$output" $'r0\nr1\nr2'
	assert_equal "$stderr" ''
	TOOL_ARGS='' fails_with rstream-tail 'fails its CRC-32 check' deliver_bad_crc
}
@test "rstream-tail --no-crc: a chunk with a bad CRC is passed through" { tail_no_crc; }

tail_counts_disagree() {
	fails_with rstream-tail 'entries, records and data length disagree with its header' \
	    deliver_counts_disagree
	fails_with rstream-tail 'chunk has 3 entries but only 2 records' \
	    deliver_entries_exceed_records
}
@test "rstream-tail: a chunk whose counts disagree with its entries" { tail_counts_disagree; }
@test "over TLS: rstream-tail: a chunk whose counts disagree with its entries" { over_tls tail_counts_disagree; }

tail_past_chunk() {
	fails_with rstream-tail 'entry of 1000 bytes runs past the chunk data' \
	    deliver_entry_past_data
	fails_with rstream-tail 'chunk data length 4096 runs past the 18 bytes received' \
	    deliver_data_len_past
	fails_with rstream-tail 'sub-entry batch of 5 records claims only 18 bytes' \
	    deliver_subentry_past
}
@test "rstream-tail: an entry or the data running past the chunk" { tail_past_chunk; }
@test "over TLS: rstream-tail: an entry or the data running past the chunk" { over_tls tail_past_chunk; }

tail_truncated_magic_empty() {
	fails_with rstream-tail 'chunk of 20 bytes is shorter than its 48-byte header' \
	    deliver_truncated_header
	fails_with rstream-tail 'chunk of 20 bytes is shorter than its 48-byte header' \
	    deliver_truncated_header_snap
	fails_with rstream-tail 'chunk starts with 0x42, not magic 5' deliver_bad_magic
	fails_with rstream-tail 'malformed Deliver' deliver_empty
}
@test "rstream-tail: a truncated chunk header, a bad magic, an empty Deliver" { tail_truncated_magic_empty; }
@test "over TLS: rstream-tail: a truncated chunk header, a bad magic, an empty Deliver" { over_tls tail_truncated_magic_empty; }

tail_offset_wrap() {
	fails_with rstream-tail 'offset' deliver_offset_wrap
}
# bats test_tags=known-bug
@test "rstream-tail: a chunk whose offsets wrap past 2^64" { tail_offset_wrap; }
# bats test_tags=known-bug
@test "over TLS: rstream-tail: a chunk whose offsets wrap past 2^64" { over_tls tail_offset_wrap; }

tail_close_mid_delivery() {
	fails_with rstream-tail 'the broker closed the connection: internal error: node going down' \
	    close_mid_delivery
	assert_equal "$status" 75
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
}
@test "rstream-tail: a Close between two chunks keeps what was printed" { tail_close_mid_delivery; }
@test "over TLS: rstream-tail: a Close between two chunks keeps what was printed" { over_tls tail_close_mid_delivery; }

# PublishConfirm (rstream-cat).

cat_confirm_other_publisher() {
	fails_with rstream-cat 'PublishConfirm' confirm_unknown_publisher
}
@test "rstream-cat: a PublishConfirm for another publisher" { cat_confirm_other_publisher; }
@test "over TLS: rstream-cat: a PublishConfirm for another publisher" { over_tls cat_confirm_other_publisher; }

cat_hostile_counts() {
	fails_with rstream-cat 'malformed PublishConfirm' confirm_hostile_count
	fails_with rstream-cat 'malformed PublishConfirm' confirm_negative_count
	fails_with rstream-cat 'malformed PublishError' error_hostile_count
}
@test "rstream-cat: PublishConfirm and PublishError with counts that cannot fit" { cat_hostile_counts; }
@test "over TLS: rstream-cat: PublishConfirm and PublishError with counts that cannot fit" { over_tls cat_hostile_counts; }

cat_stray_confirms() {
	# They are ignored; the records stay unconfirmed until --confirm-timeout.
	TOOL_ARGS='--confirm-timeout 1s' HOLD=8 fails_with rstream-cat \
	    '3 records still unconfirmed after 1 s' confirm_stray_ids
	[[ ${stderr_lines[1]} == *'3 records read, 0 confirmed, 0 failed'* ]]
}
@test "rstream-cat: confirms for ids never published are not counted" { cat_stray_confirms; }
@test "over TLS: rstream-cat: confirms for ids never published are not counted" { over_tls cat_stray_confirms; }

cat_heartbeat_only() {
	TOOL_ARGS='--confirm-timeout 1s' HOLD=8 fails_with rstream-cat \
	    '3 records still unconfirmed after 1 s' heartbeat_only --heartbeat 1 --at work
}
@test "rstream-cat: a heartbeat-only broker after Publish meets --confirm-timeout" { cat_heartbeat_only; }
@test "over TLS: rstream-cat: a heartbeat-only broker after Publish meets --confirm-timeout" { over_tls cat_heartbeat_only; }

# Unknown keys and correlation ids.

unknown_key() {
	for at in peer work; do
		both_fail_with 'unknown' unknown_key --at "$at"
	done
}
# bats test_tags=known-bug
@test "an unknown key" { unknown_key; }
# bats test_tags=known-bug
@test "over TLS: an unknown key" { over_tls unknown_key; }

unknown_corr() {
	for at in peer metadata; do
		both_fail_with 'correlation id' unknown_corr --at "$at"
	done
}
# bats test_tags=known-bug
@test "a response with an unknown correlation id" { unknown_corr; }
# bats test_tags=known-bug
@test "over TLS: a response with an unknown correlation id" { over_tls unknown_corr; }

close_reason_control() {
	both_fail_with 'the broker closed the connection' close_reason_control
}
# bats test_tags=known-bug
@test "a Close reason with a newline and escapes stays one clean line" { close_reason_control; }
# bats test_tags=known-bug
@test "over TLS: a Close reason with a newline and escapes stays one clean line" { over_tls close_reason_control; }

announce_max_deliver() {
	# Accepted up to the Deliver cap (even by rstream-cat and during the
	# handshake); the tools must then wait and fail cleanly when it leaves.
	both_fail_with 'connection closed by the broker' announce_max_deliver --at work
	both_fail_with 'connection closed by the broker' announce_max_deliver --at peer
}
@test "a Deliver header announcing 256 MiB, then nothing" { announce_max_deliver; }
@test "over TLS: a Deliver header announcing 256 MiB, then nothing" { over_tls announce_max_deliver; }

# Silence and heartbeats.

silent_after_handshake() {
	# Tune proposes a 1 s heartbeat; the server holds the line for 8 s.
	HOLD=8 both_fail_with 'no heartbeat from the broker for 2 s' \
	    silent --heartbeat 1 --at metadata
	HOLD=8 both_fail_with 'no heartbeat from the broker for 2 s' \
	    silent --heartbeat 1 --at work
}
@test "a broker silent after the handshake is given up after two heartbeats" { silent_after_handshake; }
@test "over TLS: a broker silent after the handshake is given up after two heartbeats" { over_tls silent_after_handshake; }

heartbeat_only_waits() {
	# Heartbeats every 0.5 s for 4 s instead of a reply: no heartbeat
	# timeout may fire; the tools fail when the connection closes.
	HOLD=4 both_fail_with 'connection closed by the broker' \
	    heartbeat_only --heartbeat 1 --at metadata
}
@test "a heartbeat-only broker keeps the tools waiting until it leaves" { heartbeat_only_waits; }
@test "over TLS: a heartbeat-only broker keeps the tools waiting until it leaves" { over_tls heartbeat_only_waits; }

handshake_timeout() {
	TOOL_ARGS='--timeout 2s' HOLD=10 TMO=8 both_fail_with 'no answer to the handshake within 2 s' \
	    silent --at peer
	TOOL_ARGS='--timeout 2s' HOLD=10 TMO=8 fails_with rstream-tail 'no answer to the handshake within 2 s' \
	    heartbeat_only --at open
}
@test "a broker silent during the handshake: the handshake timeout (--timeout)" { handshake_timeout; }
@test "over TLS: a broker silent during the handshake: the handshake timeout (--timeout)" { over_tls handshake_timeout; }

reply_timeout() {
	TOOL_ARGS='--timeout 1500ms' HOLD=10 TMO=8 both_fail_with 'no reply from the broker within 1.5 s' \
	    heartbeat_only --heartbeat 1 --at metadata
}
@test "a broker that never answers a request after the handshake: the reply timeout" { reply_timeout; }
@test "over TLS: a broker that never answers a request after the handshake: the reply timeout" { over_tls reply_timeout; }

# The second connection: Metadata names another node as the leader, and
# that connection misbehaves once the tool has settled on it.

leader_faults() {
	both_fail_with 'frame size 0 is below the 4-byte minimum' size0 --redirect
	both_fail_with 'connection closed by the broker' eof_mid_frame --redirect
	fails_with rstream-tail 'fails its CRC-32 check' deliver_bad_crc --redirect
	fails_with rstream-tail 'node going down' close_mid_delivery --redirect
	fails_with rstream-cat 'malformed PublishConfirm' confirm_hostile_count --redirect
}
@test "faults on the connection to the leader" { leader_faults; }
@test "over TLS: faults on the connection to the leader" { over_tls leader_faults; }

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
			echo "$tool against hostile_server.py $*${TLS:+ (over TLS)}: $bad"
			echo "status: $status"
			printf 'stderr:\n%s\n' "$stderr"
			echo "server log:"
			cat "$SERVER_LOG"
		} >&2
		return 1
	fi
}

random_damage() {
	local frame
	for frame in 0 1 2 3 4 5 6 7; do
		HOLD=1 survives rstream-tail mutate --frame "$frame" --seed "$((frame + 11))"
		HOLD=1 survives rstream-cat mutate --frame "$frame" --seed "$((frame + 23))"
	done
}
@test "one randomly damaged frame never crashes or hangs a tool" { random_damage; }
@test "over TLS: one randomly damaged frame never crashes or hangs a tool" { over_tls random_damage; }

# TLS only.

# The mid-frame EOF of "the connection closes in the middle of a frame",
# ended three ways by the TLS peer: close_notify after the half frame (a
# clean TLS close), the socket closed without close_notify (a truncation),
# and the half frame sent as a record of which only half arrives. Each is
# the same fault to the tool as over TCP: "connection closed by the
# broker", with the TCP run's status (69 before the connection is ready,
# 75 after: never 0, never a hang).
eof_mid_frame_tls() {
	local at tool how tcp_status
	for at in peer open metadata work; do
		for tool in rstream-tail rstream-cat; do
			play tcp tcp "$tool" eof_mid_frame --at "$at"
			load_run tcp
			tcp_status=$status
			for how in notify abrupt mid-record; do
				TLS_CLOSE=$how play run tls "$tool" eof_mid_frame --at "$at"
				load_run run
				if ! clean_failure "$tool" 'connection closed by the broker' ||
				    [ "$status" != "$tcp_status" ] ||
				    { [ "$status" != 69 ] && [ "$status" != 75 ]; }; then
					echo "$tool, eof_mid_frame --at $at --tls-close $how:" \
					    "status $status (over TCP: $tcp_status)" >&2
					return 1
				fi
			done
		done
	done
}
@test "TLS: the peer leaves mid-frame: after close_notify, without one, inside a record" { eof_mid_frame_tls; }

# A plain server where the URI says +tls: one that hangs up on the
# ClientHello (it reads it as a frame of 369 MB), one that sends stream
# frames unasked, one that says nothing at all. Exit 76 and "does not
# speak TLS" (or the server "closed the connection" during the handshake),
# within seconds; the mute one is a handshake that does not finish within
# --timeout (69, like any unanswered handshake, or 76).
plain_server_on_tls_uri() {
	local tool scen
	for tool in rstream-tail rstream-cat; do
		for scen in ok babble; do
			TMO=15 play run plain-tls "$tool" "$scen"
			load_run run
			if ! clean_failure "$tool" 'TLS handshake failed: ' ||
			    [[ $stderr != *"speak TLS"* ]] || [ "$status" != 76 ] ||
			    [ "${SECS%.*}" -ge 5 ]; then
				echo "$tool against a plain server ($scen):" \
				    "status $status after $SECS s" >&2
				return 1
			fi
		done
		TOOL_ARGS='--timeout 2s' HOLD=10 TMO=15 play run plain-tls "$tool" mute
		load_run run
		if ! clean_failure "$tool" 'TLS handshake' ||
		    { [ "$status" != 69 ] && [ "$status" != 76 ]; } ||
		    [ "${SECS%.*}" -ge 5 ]; then
			echo "$tool against a mute plain server: status $status" \
			    "after $SECS s" >&2
			return 1
		fi
	done
}
@test "TLS: a plain server on the port a +tls URI names: a clear TLS error, no hang" { plain_server_on_tls_uri; }

# Filtering (3.13+). A broker that says 3.10.8, or 3.13.0 without Publish v2
# in ExchangeCommandVersions (the stream_filtering feature flag off): both
# tools refuse with status 69 and one line, before DeclarePublisher or
# Subscribe. One that has it: rstream-tail sends filter.0 and keeps, of a
# chunk the Bloom filter let through, only the records whose value (an
# application property or a message annotation, string or binary) is the
# one asked for, whatever else the others hold; rstream-cat sends Publish v2
# with the filter values.

filter_refused() {
	for scen in ok filter_unlisted; do
		TOOL_ARGS="--filter eu" against rstream-tail "$scen"
		assert_equal "$status" 69
		assert_equal "$output" ""
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == "rstream-tail: s: Stream filtering "*"3.1"* ]]
		run ! grep -q "subscribe properties" "$SERVER_LOG"
		TOOL_ARGS="--filter-value eu" against rstream-cat "$scen"
		assert_equal "$status" 69
		[[ ${stderr_lines[0]} == "rstream-cat: s: Stream filtering "*"3.1"* ]]
		run ! grep -q "publish v" "$SERVER_LOG"
	done
}
@test "filtering: a broker without it (3.10.8, or 3.13 without Publish v2): 69 before anything is sent" { filter_refused; }
@test "over TLS: filtering: a broker without it (3.10.8, or 3.13 without Publish v2): 69 before anything is sent" { over_tls filter_refused; }

filter_works() {
	TOOL_ARGS="-o first --filter eu" against rstream-tail filter
	assert_equal "$status" 0
	assert_equal "$output" "$(printf 'r0\nr3\nr6')"
	assert_equal "$stderr" ""
	grep -q "subscribe properties: \[('filter.0', 'eu')\]" "$SERVER_LOG"
	# Without a value (none, an integer, not a message at all): with match-unfiltered.
	TOOL_ARGS="-o first --filter us --filter ap --match-unfiltered --format %o," against rstream-tail filter
	assert_equal "$status" 0
	grep -q "subscribe properties: \[('filter.0', 'us'), ('filter.1', 'ap'), ('match-unfiltered', 'true')\]" "$SERVER_LOG"
	assert_equal "$output" "1,2,4,5,"
	TOOL_ARGS="--filter-value v%n" against rstream-cat filter
	assert_equal "$status" 0
	grep -q "publish v2: 3 messages, filter values v1,v2,v3" "$SERVER_LOG"
}
@test "filtering: Subscribe properties, the check on each record, Publish v2" { filter_works; }
@test "over TLS: filtering: Subscribe properties, the check on each record, Publish v2" { over_tls filter_works; }

# Super streams, single active consumer, Deliver v2 (the server plays
# 3.13.0). Partitions (malformed, empty, 2^31-1 names in a few bytes, a
# name with a NUL) for both tools, Route (malformed, no stream, 2^31-1
# streams, a name with a NUL) for rstream-cat
# --routing key, ConsumerUpdate (malformed, for an unknown subscription)
# for rstream-tail --single-active, a Deliver v2 cut inside its committed
# chunk id: each a clean failure with the documented status (1: a
# malformed frame; 69: no partition; 65: a key no partition is bound to).
# Then what works: a single active reader answers ConsumerUpdate with an
# offset specification, prints while active, and when told to step down
# stores its offset before it answers, then prints nothing more.

super_frames() {
	local tool scen args
	for tool in rstream-tail rstream-cat; do
		args=--super-stream
		[ "$tool" = rstream-tail ] || args="--super-stream -K :"
		for scen in partitions_malformed partitions_huge partitions_nul; do
			TOOL_ARGS=$args against "$tool" "$scen"
			clean_failure "$tool" "malformed Partitions response"
			assert_equal "$status" 1
		done
		TOOL_ARGS=$args against "$tool" partitions_empty
		clean_failure "$tool" "super stream has no partitions"
		assert_equal "$status" 69
	done
	for scen in route_malformed route_huge route_nul route_no_stream; do
		INPUT=$'k1:a\nk2:b' TOOL_ARGS="--super-stream --routing key -K :" \
		    against rstream-cat "$scen"
		if [ "$scen" = route_no_stream ]; then
			assert_equal "$status" 65
			[[ ${stderr_lines[0]} == 'rstream-cat: s: no partition is bound to routing key "k1"' ]]
		else
			assert_equal "$status" 1
			[[ ${stderr_lines[0]} == "rstream-cat: s: malformed Route response" ]]
		fi
		# The summary line follows; nothing else.
		assert_equal "${#stderr_lines[@]}" 2
		[[ ${stderr_lines[1]} == "rstream-cat: s: 0 records routed to 1 partitions; routing stopped there" ]]
		run ! grep -q "publish v" "$SERVER_LOG"
	done
	TOOL_ARGS="-N g --single-active" against rstream-tail cu_malformed
	clean_failure rstream-tail "bad frame from the broker: malformed ConsumerUpdate"
	assert_equal "$status" 1
	TOOL_ARGS="-N g --single-active" against rstream-tail cu_unknown_sub
	clean_failure rstream-tail "ConsumerUpdate for subscription 77, which is not a single active consumer"
	assert_equal "$status" 1
	# A ConsumerUpdate to a reader that did not ask for one.
	TOOL_ARGS="-N g" against rstream-tail cu_unknown_sub
	clean_failure rstream-tail "ConsumerUpdate for subscription 77"
	TOOL_ARGS="-o first" against rstream-tail deliver_v2_short
	clean_failure rstream-tail "malformed Deliver"
	assert_equal "$status" 1
	TOOL_ARGS="-o first" against rstream-tail deliver_v2
	assert_equal "$status" 0
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
}
@test "super streams, ConsumerUpdate, Deliver v2: malformed frames fail cleanly with the documented status" { super_frames; }
@test "over TLS: super streams, ConsumerUpdate, Deliver v2: malformed frames fail cleanly with the documented status" { over_tls super_frames; }

single_active_steps_down() {
	HOLD=2 TOOL_ARGS="-N g --single-active --store-every 1000" against rstream-tail cu
	# Active: r0 r1 r2; stepped down: r3 r4 r5 never written.
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
	grep -q "subscribe properties: \[('name', 'g'), ('single-active-consumer', 'true')\]" "$SERVER_LOG"
	grep -q "consumer update answered: code 1, offset type 1" "$SERVER_LOG"
	grep -q "stepped down: stored 2 before the answer (code 1, offset type 0)" "$SERVER_LOG"
	# Then the server hangs up: a temporary failure (--retry-for 0).
	assert_equal "$status" 75
	# With a command (0.2 s a record): told to step down while it runs for
	# r1, it lets that one finish, stores 1, answers, and r2 is not run.
	printf '#!/bin/sh\ncat; echo; sleep 0.2\n' >"$BATS_TEST_TMPDIR/slow"
	chmod +x "$BATS_TEST_TMPDIR/slow"
	HOLD=2 TOOL_ARGS="-N g --single-active" TOOL_CMD="-- $BATS_TEST_TMPDIR/slow" \
	    against rstream-tail cu
	assert_equal "$output" "$(printf 'r0\nr1')"
	grep -q "stepped down: stored 1 before the answer (code 1, offset type 0)" "$SERVER_LOG"
	assert_equal "$status" 75
}
@test "single active consumer: answers ConsumerUpdate, stores its offset before stepping down, then writes nothing" { single_active_steps_down; }
