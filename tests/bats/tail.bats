#!/usr/bin/env bats
# rstream-tail's offsets, counts and follow mode against a real broker.

load helper

setup() {
	need_broker
	S=$(new_stream)
	# Three publishes make three chunks: offsets 0-3, 4-5, 6-9.
	printf 'r0\nr1\nr2\nr3\n' | rstream-cat --create "$S"
	printf 'r4\nr5\n' | rstream-cat "$S"
	printf 'r6\nr7\nr8\nr9\n' | rstream-cat "$S"
}

teardown() {
	drop_stream "$S"
}

@test "-o N starts exactly at N, also inside a chunk" {
	run -0 rstream-tail -o 5 "$S"
	assert_equal "$output" "$(printf 'r5\nr6\nr7\nr8\nr9')"
	run -0 rstream-tail -o 2 -c 1 "$S"
	assert_output 'r2'
	run -0 rstream-tail -o 9 "$S"
	assert_output 'r9'
}

@test "-o N beyond the end prints nothing and exits 0" {
	run -0 rstream-tail -o 10 "$S"
	assert_output ''
}

@test "-n 3 prints the last 3 records" {
	run -0 rstream-tail -n 3 "$S"
	assert_equal "$output" "$(printf 'r7\nr8\nr9')"
}

@test "-n N counts records, not offsets: a stored offset's chunk takes an offset" {
	# Each run of a named reader stores its offset: a tracking chunk, which
	# takes an offset of the stream but is never delivered.
	rstream-tail -N rd "$S" >/dev/null
	printf 'r10\nr11\n' | rstream-cat "$S"
	rstream-tail -N rd "$S" >/dev/null
	printf 'r12\n' | rstream-cat "$S"
	run -0 sh -c "rstream-tail -o first -J '$S' | jq -r .offset | tail -n 1"
	assert_output 14	# two offsets that are no record: the test means something
	all=$(printf 'r%d\n' 0 1 2 3 4 5 6 7 8 9 10 11 12)
	for n in 1 2 3 4 5 12 13 20; do
		run -0 rstream-tail -n "$n" "$S"
		assert_equal "$output" "$(tail -n "$n" <<<"$all")"
	done
	run -0 timeout 10 rstream-tail -f -n 4 -c 4 "$S"
	assert_equal "$output" "$(tail -n 4 <<<"$all")"
}

@test "the default is the last 10, and -n larger than the stream prints it all" {
	printf 'r10\nr11\n' | rstream-cat "$S"
	run -0 rstream-tail "$S"
	assert_equal "$output" "$(printf 'r%s\n' 2 3 4 5 6 7 8 9 10 11 | head -c -1)"
	run -0 rstream-tail -n 100 "$S"
	assert_equal "${#lines[@]}" 12
	assert_line --index 0 'r0'
}

@test "-o first, -o last and -o next" {
	run -0 rstream-tail -o first "$S"
	assert_equal "${#lines[@]}" 10
	assert_line --index 0 'r0'
	run -0 rstream-tail -o last "$S"
	assert_output 'r9'
	run -0 rstream-tail -o next "$S"
	assert_output ''
}

@test "-c N stops after N records" {
	run -0 rstream-tail -o first -c 3 "$S"
	assert_equal "$output" "$(printf 'r0\nr1\nr2')"
}

@test "without -f the run ends at the end the stream had when it started" {
	rstream-tail -v -o first "$S" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q 'the stream ends at offset' "$BATS_TEST_TMPDIR/err" && break
		sleep 0.05
	done
	printf 'late\n' | rstream-cat "$S"
	wait "$pid"
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_line 'rstream-tail: the stream ends at offset 9'
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_equal "${#lines[@]}" 10
	assert_line --index 9 'r9'
	refute_line 'late'
}

@test "without -f the run ends on a busy stream too" {
	seq 1 300000 | rstream-cat "$S" &
	writer=$!
	for _ in $(seq 100); do
		[ "$(rstream-tail -o last "$S")" != r9 ] && break
		sleep 0.05
	done
	run -0 timeout 30 rstream-tail -v -o first "$S"
	wait "$writer"
	end=$(printf '%s\n' "${lines[@]}" | sed -n 's/^rstream-tail: the stream ends at offset //p')
	[ -n "$end" ]
	# stderr and stdout are merged here: 10 records r0-r9, then the numbers up to the end.
	last=$(printf '%s\n' "${lines[@]}" | grep -v '^rstream-tail:' | tail -1)
	assert_equal "$last" "$((end - 9))"
}

@test "-f prints a line published after it started" {
	rstream-tail -f -n 0 "$S" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 1
	printf 'published later\n' | rstream-cat "$S"
	wait_grep 'published later' "$BATS_TEST_TMPDIR/out"
	kill "$pid"
	wait "$pid" || true
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_output 'published later'
}

@test "credit keeps coming: 40 chunks read to the end, then followed" {
	# Credit is 8 chunks ahead and granted back 4 at a time: 40 chunks, one
	# record each (a publish is at least a chunk), need it granted many
	# times, and a chunk published while following needs it still.
	for i in $(seq 10 49); do printf 'r%d\n' "$i" | rstream-cat "$S"; done
	run -0 timeout 20 rstream-tail -o 10 "$S"
	assert_equal "$output" "$(seq 10 49 | sed 's/^/r/')"
	rstream-tail -f -o 10 "$S" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	wait_grep '^r49$' "$BATS_TEST_TMPDIR/out"
	for i in 50 51 52 53 54; do printf 'r%d\n' "$i" | rstream-cat "$S"; done
	wait_grep '^r54$' "$BATS_TEST_TMPDIR/out"
	kill "$pid"
	wait "$pid" || true
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_equal "$output" "$(seq 10 54 | sed 's/^/r/')"
}

@test "-f -c 1 exits by itself once the record arrives" {
	rstream-tail -f -o next -c 1 "$S" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 1
	printf 'one\ntwo\n' | rstream-cat "$S"
	run -0 timeout 10 tail --pid="$pid" -f /dev/null
	wait "$pid"
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_output 'one'
}

@test "a closed stdout ends the run at once, quietly, with status 0" {
	run -0 bash -c 'set -o pipefail; rstream-tail -o first "$1" | head -1' _ "$S"
	assert_output 'r0'
}

@test "a closed stdout ends -f while the stream is idle" {
	start=$SECONDS
	run -0 timeout 20 bash -c 'set -o pipefail; rstream-tail -f -o last "$1" | head -1' _ "$S"
	assert_output 'r9'
	[ $((SECONDS - start)) -lt 15 ]
}

@test "a stream that does not exist exits 69 naming it" {
	run -69 rstream-tail -o first "$S-missing"
	assert_output "rstream-tail: $S-missing: stream does not exist"
}

@test "-o -N starts N records before the end; -e stops at the end explicitly" {
	run -0 rstream-tail -o -3 "$S"
	assert_equal "$output" "$(printf 'r7\nr8\nr9')"
	run -0 rstream-tail -o -100 -e "$S"
	assert_equal "${#lines[@]}" 10
	run -2 rstream-tail -e -f "$S"
	assert_output --partial 'cannot be combined'
}

@test "--since and --until cut at chunk timestamps; -o TIME is --since" {
	T1=$(date +%s%3N)
	sleep 1.1
	printf 'later1\nlater2\n' | rstream-cat "$S"
	T2=$(date +%s%3N)
	sleep 1.1
	printf 'latest\n' | rstream-cat "$S"
	run -0 rstream-tail --since "$T1" "$S"
	assert_equal "$output" "$(printf 'later1\nlater2\nlatest')"
	run -0 rstream-tail -o "@$((T2 / 1000 + 1))" "$S"
	assert_output 'latest'
	run -0 rstream-tail -o "$(date -u -d "@$((T1 / 1000 + 1))" +%Y-%m-%dT%H:%M:%SZ)" "$S"
	assert_equal "$output" "$(printf 'later1\nlater2\nlatest')"
	run -0 rstream-tail -o first --until "$T2" "$S"
	assert_equal "${#lines[@]}" 12
	assert_line --index 11 'later2'
	run -0 rstream-tail --since "$T1" --until "$T2" "$S"
	assert_equal "$output" "$(printf 'later1\nlater2')"
	run -0 rstream-tail --since -1h -c 1 "$S"
	assert_output 'r0'
	run -0 rstream-tail --since "@$(( $(date +%s) + 3600 ))" "$S"
	assert_output ''
}

@test "--until with -f: following, it exits at the first record past the time, printing none of it" {
	sleep 1.1
	U=$(date +%s%3N)
	sleep 1.1
	rstream-tail -f -o first --until "$U" "$S" >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_grep '^r9$' "$BATS_TEST_TMPDIR/out"
	sleep 1
	kill -0 "$pid" || fail "it stopped before a record past --until came"
	printf 'past1\npast2\n' | rstream-cat "$S"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		fail "still following 10 s after a record past --until"
	fi
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 0
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_equal "$output" "$(printf 'r%d\n' 0 1 2 3 4 5 6 7 8 9)"
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_output ''
}

@test "every TIME form parses; bad ones are usage errors" {
	for t in now today yesterday -30s -10m -1h -2d @1700000000 1700000000000 2026-11-25T12:00:00Z '2026-11-25 12:00:00+01:00' 2026-11-25; do
		run -0 rstream-tail --since "$t" -c 1 -o first "$S" 2>/dev/null || true
		run rstream-tail --since "$t" "$S"
		[ "$status" -ne 2 ] || fail "--since $t was refused: $output"
	done
	run -2 rstream-tail --since tomorrow "$S"
	assert_output --partial '--since: bad time: tomorrow'
	run -2 rstream-tail --until 2026-13-01 "$S"
}

@test "a retention gap before the asked offset is reported on stderr" {
	drop_stream "$S"
	S=$(new_stream)		# not the same name: a delete may still be under way
	rstream-cat --create --max-length-bytes 20000 --max-segment-size 5000 "$S" </dev/null
	for _ in $(seq 40); do head -c 600 /dev/zero | tr '\0' a | rstream-cat "$S"; done
	run -0 rstream-tail -o 0 -c 1 "$S"
	assert_line --index 0 --regexp "^rstream-tail: records 0 to [0-9]+ are no longer in the stream \(retention\); starting at [0-9]+$"
	assert_line --index 1 --regexp '^a{600}$'
}

@test "--raw writes bodies back to back" {
	run -0 rstream-tail -o 7 --raw "$S"
	assert_output 'r7r8r9'
}
