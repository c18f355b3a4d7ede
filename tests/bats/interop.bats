#!/usr/bin/env bats
# Interoperability through the broker's own AMQP code: RabbitMQ converts
# AMQP 0-9-1 publishes into the AMQP 1.0 records a stream stores, and back
# for AMQP 0-9-1 consumers. python3-pika is the independent peer.

load helper

setup() {
	need_broker
	S=$(new_stream)
}

teardown() {
	drop_stream "$S"
}

@test "a message published by pika (AMQP 0-9-1) is printed by rstream-tail" {
	rstream-cat --create "$S" </dev/null
	run -0 "$PY" "$PYDIR/amqp091.py" publish "$S" 'from pika' 'ünïcödé from pika'
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'from pika\nünïcödé from pika')"
}

@test "a line published by rstream-cat is read back by pika with x-stream-offset" {
	printf 'zero\none\ntwo\n' | rstream-cat --create "$S"
	run -0 "$PY" "$PYDIR/amqp091.py" consume "$S" first 3
	assert_equal "$output" "$(printf 'zero\none\ntwo')"
	run -0 "$PY" "$PYDIR/amqp091.py" consume "$S" 1 2
	assert_equal "$output" "$(printf 'one\ntwo')"
}

@test "rstream-cat and pika publishes interleave in one stream" {
	printf 'cat 1\n' | rstream-cat --create "$S"
	"$PY" "$PYDIR/amqp091.py" publish "$S" 'pika 2'
	printf 'cat 3\n' | rstream-cat "$S"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'cat 1\npika 2\ncat 3')"
	run -0 "$PY" "$PYDIR/amqp091.py" consume "$S" first 3
	assert_equal "$output" "$(printf 'cat 1\npika 2\ncat 3')"
}
