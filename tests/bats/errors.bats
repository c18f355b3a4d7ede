#!/usr/bin/env bats
# Failures a user meets against a real broker, with their exit statuses
# and messages.

load helper

setup() {
	need_broker
	S=$(new_stream)
	# The test broker's URI with other credentials or vhost.
	HOSTPORT=${RSTREAM_TEST_URI#*@}
	HOSTPORT=${HOSTPORT%%/*}
}

teardown() {
	drop_stream "$S"
}

@test "publishing to a stream that does not exist exits 69 and names it" {
	run -69 rstream-cat "$S" <<<'x'
	assert_output "rstream-cat: $S: stream does not exist (use --create to create it)"
}

@test "a wrong password exits 77" {
	run -77 rstream-cat -u "rabbitmq-stream://guest:badpass@$HOSTPORT/%2f" "$S" <<<'x'
	assert_output --partial 'authentication failure'
	refute_output --partial 'badpass'
	run -77 rstream-tail -u "rabbitmq-stream://guest:badpass@$HOSTPORT/%2f" "$S"
	assert_output --partial 'authentication failure'
}

@test "an unknown user exits 77" {
	RSTREAM_URI="rabbitmq-stream://nobody:x@$HOSTPORT/%2f" run -77 rstream-tail "$S"
	assert_output --partial 'user "nobody": authentication failure'
}

@test "an unknown virtual host exits 77 and names it" {
	run -77 rstream-tail -u "rabbitmq-stream://guest:guest@$HOSTPORT/nosuchvhost" "$S"
	assert_output --partial 'virtual host "nosuchvhost"'
}

@test "--create sets retention; the same arguments again are fine, others are refused" {
	run -0 rstream-cat --create --max-length-bytes 20mb --max-age 7d "$S" </dev/null
	run -0 rstream-cat --create --max-length-bytes 20mb --max-age 1w "$S" <<<'again'
	run -1 rstream-cat --create --max-length-bytes 30mb "$S" <<<'no'
	assert_output "rstream-cat: $S: stream exists with other arguments (precondition failed)"
	run -0 rstream-tail -o first "$S"
	assert_output 'again'
}

@test "a stream deleted under rstream-tail -f ends it with exit 69" {
	rstream-cat --create "$S" <<<'x'
	rstream-tail -f "$S" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	sleep 1
	"$PY" "$PYDIR/amqp091.py" delete "$S"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 69
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial 'the stream was deleted'
}

@test "the first seed is down: both tools connect through the next one (-u repeated or comma-separated)" {
	# No password in -u (guest is the default): one there draws a warning.
	local u=${RSTREAM_TEST_URI/guest:guest@/}
	run -0 rstream-cat --create -u rabbitmq-stream://localhost:1/ -u "$u" "$S" <<<'via the second seed'
	run -0 rstream-tail -o first -u "rabbitmq-stream://localhost:1/,$u" "$S"
	assert_output 'via the second seed'
	RSTREAM_URI="rabbitmq-stream://localhost:1/,$RSTREAM_TEST_URI" run -0 rstream-tail -o first --no-locate "$S"
	assert_output 'via the second seed'
	run -69 rstream-tail -u rabbitmq-stream://localhost:1/ -u rabbitmq-stream://localhost:2/ "$S"
	assert_output --partial 'cannot connect to localhost:2'
}
