#!/usr/bin/env bats
# rstream-tail -- COMMAND: one process per record, the body on stdin, the
# record's place in the environment; failures stop (or are skipped); a
# named reader stores only past records whose command succeeded.

load helper

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

@test "COMMAND runs once per record with the body on stdin and the offset, timestamp and stream in its environment" {
	printf 'a\nbb\n\nccc\n' | rstream-cat --create "$S"
	run -0 rstream-tail -o first "$S" -- sh -c 'printf "%s|%s|%s|%s\n" "$RSTREAM_OFFSET" "$(cat)" "$RSTREAM_STREAM" "${RSTREAM_TIMESTAMP:+ts}"'
	assert_equal "$output" "$(printf '0|a|%s|ts\n1|bb|%s|ts\n2||%s|ts\n3|ccc|%s|ts' "$S" "$S" "$S" "$S")"
}

@test "a body larger than a pipe buffer reaches the command whole; a command that does not read is fine" {
	head -c 300000 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 400000 >"$T/big"
	rstream-cat --create "$S" "$T/big"
	printf 'small\n' | rstream-cat "$S"
	run -0 rstream-tail -o first -c 1 "$S" -- sh -c 'sleep 0.2; wc -c'
	assert_output 400000
	run -0 rstream-tail -o first "$S" -- true
	assert_output ''
}

@test "a failing COMMAND ends the run with status 1 naming the offset; --on-error=skip goes on" {
	seq 0 4 | rstream-cat --create "$S"
	run -1 rstream-tail -o first "$S" -- sh -c 'test "$(cat)" != 2 && echo ok'
	assert_equal "${lines[0]}" ok
	assert_equal "${lines[1]}" ok
	assert_equal "${lines[2]}" "rstream-tail: $S: sh failed (exit status 1) for the record at offset 2"
	run -0 rstream-tail -o first --on-error=skip "$S" -- sh -c 'test "$(cat)" != 2 && echo ok'
	assert_line --index 2 "rstream-tail: sh failed (exit status 1) for the record at offset 2; going on"
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -c '^ok$')" 4
	run -1 rstream-tail -o first -c 1 "$S" -- /nonexistent/command
	assert_output --partial 'No such file or directory'
}

@test "with -N, only records whose COMMAND succeeded are stored; the failed one comes again" {
	seq 0 9 | rstream-cat --create "$S"
	run -1 rstream-tail -N worker "$S" -- sh -c 'v=$(cat); [ "$v" -lt 5 ] && echo "done $v"'
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -c '^done')" 5
	run -0 rstream-tail -N worker "$S" -- sh -c 'echo "again $(cat)"'
	assert_equal "$output" "$(seq 5 9 | sed 's/^/again /')"
}

@test "-- without a COMMAND is a usage error; an operand before -- is another stream" {
	run -2 rstream-tail "$S" --
	assert_output --partial 'missing COMMAND'
	# A command goes after --: before it, a word is a STREAM (multi.bats).
	run -69 rstream-tail "$S" "rst-extra-$$" -- true
	assert_output --partial "rst-extra-$$: stream does not exist"
	run -2 rstream-tail --on-error=maybe "$S" -- true
	assert_output --partial '--on-error'
}

@test "COMMAND sees the message's properties and application properties" {
	printf 'x\n' | rstream-cat --create --content-type text/plain --message-id 'id-%n' \
	    -H 'user-name=ann' -H zone=eu "$S"
	run -0 rstream-tail -o first "$S" -- sh -c 'echo "$RSTREAM_CONTENT_TYPE $RSTREAM_MESSAGE_ID $RSTREAM_HEADER_USER_NAME $RSTREAM_HEADER_ZONE"'
	assert_output 'text/plain id-1 ann eu'
}
