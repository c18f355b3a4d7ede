#!/usr/bin/env bats
# Stream filtering (RabbitMQ 3.13+): rstream-cat --filter-value publishes
# with Publish v2 and the x-stream-filter-value application property;
# rstream-tail --filter subscribes with filter.N (and match-unfiltered) and
# checks each record, since the broker's Bloom filter is per chunk and lets
# false positives through. On an older broker both tools refuse with one
# line and status 69 before anything is published. pika (AMQP 0-9-1) is the
# independent peer: its header x-stream-filter-value sets the filter value.

# shellcheck disable=SC2154 # run --separate-stderr sets stderr and stderr_lines

load helper

setup() {
	S=$(new_stream)
}

teardown() {
	[ -n "${RSTREAM_TEST_URI:-}" ] && drop_stream "$S"
	return 0
}

# need_filtering: on 3.13+ return; on an older broker assert that both tools
# refuse filtering (status 69, one clear line, nothing published), then skip
# the rest of the test naming the broker.
need_filtering() {
	need_broker
	rstream-cat --create "$S" </dev/null
	broker_older 3.13.0 || return 0
	v=$BROKER_VERSION
	run -69 --separate-stderr rstream-cat --filter-value eu "$S" <<<'a record'
	assert_equal "${stderr_lines[0]}" "rstream-cat: $S: Stream filtering needs RabbitMQ 3.13 or later; the broker is $v"
	run -69 --separate-stderr rstream-tail -o first --filter eu "$S"
	assert_equal "$stderr" "rstream-tail: $S: Stream filtering needs RabbitMQ 3.13 or later; the broker is $v"
	assert_equal "$output" ""
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" ""
	skip "RabbitMQ $v has no stream filtering (3.13+): the refusal is what is tested"
}

# chunks OUTPUT: the chunk count of rstream-tail -v's "received N chunks, B bytes".
chunks() { sed -n 's/.*received \([0-9]*\) chunks, [0-9]* bytes$/\1/p' <<<"$1"; }
bytes() { sed -n 's/.*received [0-9]* chunks, \([0-9]*\) bytes$/\1/p' <<<"$1"; }

@test "--filter-value and --filter: usage errors (2)" {
	run -2 rstream-cat --filter-value json:region s </dev/null
	assert_output --partial "json:PATH needs -J input"
	run -2 rstream-cat --filter-value eu --raw s </dev/null
	assert_output --partial "not --raw"
	run -2 rstream-cat --filter-value eu --sub-entry-size 10 s </dev/null
	assert_output --partial "per message, not per batch"
	run -2 rstream-cat --filter-value '%x' s </dev/null
	assert_output --partial "unknown token"
	run -2 rstream-cat -J --filter-value json:a..b s </dev/null
	run -2 rstream-tail --match-unfiltered s
	assert_output --partial "--match-unfiltered needs --filter"
	run -2 rstream-tail --filter '' s
	run -2 rstream-tail --filter "$(printf '%0256d' 0)" s
	run -2 rstream-tail --info --filter eu s
}

@test "--filter-value: the value from a template, a header or a -J member, as x-stream-filter-value (--dry-run)" {
	run -0 rstream-cat --dry-run --filter-value 'v%n' s <<<'a'
	assert_output --partial '"application_properties":{"x-stream-filter-value":"v1"}'
	run -0 rstream-cat --dry-run -H region=eu -H k=1 --filter-value header:region s <<<'a'
	assert_output --partial '"application_properties":{"region":"eu","k":"1","x-stream-filter-value":"eu"}'
	run -0 rstream-cat --dry-run -J --filter-value json:body.region s \
		<<<'{"body":{"region":"us","n":1}}'
	assert_output --partial '"x-stream-filter-value":"us"'
	# A record without one has none; a -J value replaces the one it had.
	run -0 rstream-cat --dry-run -J --filter-value json:application_properties.r s <<'EOF2'
{"body":"x","application_properties":{"r":"eu","x-stream-filter-value":"old"}}
{"body":"y"}
EOF2
	assert_line --index 0 --partial '"application_properties":{"r":"eu","x-stream-filter-value":"eu"}'
	assert_line --index 1 --partial '"application_properties":{}'
	run -65 rstream-cat --dry-run -J --filter-value json:body s <<<'{"body":{"a":1}}'
	assert_output --partial "is not a string or a number"
}

@test "the broker decides: before 3.13 both tools refuse (69, one line, nothing published); after, they work" {
	need_broker
	rstream-cat --create "$S" </dev/null
	if broker_older 3.13.0; then
		v=$BROKER_VERSION
		run -69 --separate-stderr rstream-cat --filter-value eu "$S" <<<'a record'
		assert_equal "${stderr_lines[0]}" "rstream-cat: $S: Stream filtering needs RabbitMQ 3.13 or later; the broker is $v"
		run -69 --separate-stderr rstream-tail -o first --filter eu "$S"
		assert_equal "$stderr" "rstream-tail: $S: Stream filtering needs RabbitMQ 3.13 or later; the broker is $v"
		run -0 rstream-tail -o first "$S"
		assert_equal "$output" ""
	else
		run -0 rstream-cat --filter-value eu "$S" <<<'a record'
		run -0 rstream-tail -o first --filter eu "$S"
		assert_equal "$output" "a record"
	fi
}

@test "only matching records are printed, and the chunks without the value are not sent" {
	need_filtering
	# Separate runs: each value in chunks of its own.
	for v in eu us us eu us us; do
		seq 1 200 | sed "s/^/$v /" | rstream-cat --filter-value "$v" "$S"
	done
	run -0 --separate-stderr rstream-tail -v -o first "$S"
	all_chunks=$(chunks "$stderr") all_bytes=$(bytes "$stderr")
	assert_equal "${#lines[@]}" 1200
	run -0 --separate-stderr rstream-tail -v -o first --filter eu "$S"
	assert_equal "${#lines[@]}" 400
	assert_equal "$(grep -vc '^eu ' <<<"$output")" 0
	assert_equal "${lines[0]}" "eu 1"
	assert_equal "${lines[399]}" "eu 200"
	eu_chunks=$(chunks "$stderr") eu_bytes=$(bytes "$stderr")
	echo "unfiltered: $all_chunks chunks $all_bytes bytes; --filter eu: $eu_chunks chunks $eu_bytes bytes"
	[ "$eu_chunks" -gt 0 ]
	[ $((eu_chunks * 2)) -le "$all_chunks" ]
	[ $((eu_bytes * 2)) -le "$all_bytes" ]
	# The run ends at the end although the last chunks hold no eu.
	[[ $stderr == *"no chunk left before the end matches the filter"* ]]
}

@test "the check on each record drops what the chunk's Bloom filter let through" {
	need_filtering
	# One run, one chunk: values v1 .. v50 share it.
	seq 1 50 | rstream-cat --filter-value 'v%n' "$S"
	run -0 --separate-stderr rstream-tail -v -o first --filter v7 --filter v42 "$S"
	assert_equal "$output" "$(printf '7\n42')"
	[ "$(chunks "$stderr")" -ge 1 ]
	run -0 rstream-tail -J -o first --filter v7 "$S"
	assert_output --partial '"body":"7"'
	assert_output --partial '"x-stream-filter-value":"v7"'
	# A COMMAND runs only for the records that match.
	# shellcheck disable=SC2016 # for the command's shell
	run -0 rstream-tail -o first --filter v9 "$S" -- sh -c 'cat; echo " at $RSTREAM_OFFSET"'
	assert_equal "$output" "9 at 8"
}

@test "--match-unfiltered adds the records with no filter value" {
	need_filtering
	printf 'eu 1\neu 2\n' | rstream-cat --filter-value eu "$S"
	printf 'plain 1\n' | rstream-cat "$S"
	printf 'us 1\n' | rstream-cat --filter-value us "$S"
	printf '{"body":"none"}\n{"body":"x","application_properties":{"region":"eu"}}\n' |
		rstream-cat -J --filter-value header:region "$S"
	run -0 rstream-tail -o first --filter eu "$S"
	assert_equal "$output" "$(printf 'eu 1\neu 2\nx')"
	run -0 rstream-tail -o first --filter eu --match-unfiltered "$S"
	assert_equal "$output" "$(printf 'eu 1\neu 2\nplain 1\nnone\nx')"
	run -0 rstream-tail -o first --filter nowhere "$S"
	assert_equal "$output" ""
}

@test "--filter with -f prints matching records as they come" {
	need_filtering
	rstream-tail -f -l -o first --filter eu "$S" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	printf 'us a\n' | rstream-cat --filter-value us "$S"
	printf 'eu b\n' | rstream-cat --filter-value eu "$S"
	printf 'us c\n' | rstream-cat --filter-value us "$S"
	printf 'eu d\n' | rstream-cat --filter-value eu "$S"
	wait_grep '^eu d' "$BATS_TEST_TMPDIR/out"
	kill "$pid"
	wait "$pid" || true
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$(printf 'eu b\neu d')"
}

@test "interop: pika's x-stream-filter-value header is filtered by rstream-tail, rstream-cat's by pika" {
	need_filtering
	"$PY" "$PYDIR/filter091.py" publish "$S" eu 'pika eu 1' 'pika eu 2'
	"$PY" "$PYDIR/filter091.py" publish "$S" us 'pika us 1'
	printf 'cat eu 1\n' | rstream-cat --filter-value eu "$S"
	printf 'cat us 1\n' | rstream-cat --filter-value us "$S"
	run -0 rstream-tail -o first --filter eu "$S"
	assert_equal "$output" "$(printf 'pika eu 1\npika eu 2\ncat eu 1')"
	run -0 rstream-tail -o first --filter us "$S"
	assert_equal "$output" "$(printf 'pika us 1\ncat us 1')"
	run -0 "$PY" "$PYDIR/filter091.py" consume "$S" us
	assert_equal "$output" "$(printf 'pika us 1\ncat us 1')"
}

@test "a named filtering publisher whose connection is dropped sends its Publish v2 frames again: each record once, with its value" {
	need_filtering
	[ -n "${RSTREAM_TEST_BROKER_DIR:-}" ] ||
	    skip "needs the private broker of tests/check.sh, to drop a connection with rabbitmqctl"
	T=$BATS_TEST_TMPDIR
	seq 1 600000 >"$T/in"
	mkfifo "$T/fifo"
	rstream-cat -v -N filtered --filter-value eu "$S" <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 8>"$T/fifo"
	head -n 300000 "$T/in" >&8
	for _ in $(seq 200); do
		[ "$(rstream-tail -o last "$S" 2>/dev/null || echo 0)" -gt 1000 ] 2>/dev/null && break
		sleep 0.02
	done
	"$BATS_TEST_DIRNAME/../broker.sh" ctl "$RSTREAM_TEST_BROKER_DIR" eval \
	    'rabbit_stream:kill_connection("rstream-cat").' >/dev/null
	tail -n +300001 "$T/in" >&8
	exec 8>&-
	wait "$pid"
	run -0 grep -c 'connecting again' "$T/err"
	rstream-tail -o first --filter eu "$S" >"$T/out"
	cmp "$T/in" "$T/out"
}
