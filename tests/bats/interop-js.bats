#!/usr/bin/env bats
# Plain streams both ways with an independent client,
# rabbitmq-stream-js-client (tests/node/plain.js, installed by
# tests/node/setup.sh): what it publishes rstream-tail reads exactly
# (bodies, message id, content type, application properties, with -J),
# and what rstream-cat publishes it reads exactly. superstream.bats does
# the same for super streams. The js client needs RabbitMQ 3.11 or later
# (3.10.8 closes its connection at ExchangeCommandVersions).

load helper

N=300

setup_file() {
	BROKER_VERSION=$(broker_version)
	export BROKER_VERSION
}

setup() {
	need_broker
	if broker_older 3.11.0; then
		skip "rabbitmq-stream-js-client needs RabbitMQ 3.11 or later; the broker is $BROKER_VERSION"
	fi
	S=$(new_stream)
	rstream-cat --create "$S" </dev/null
}

teardown() {
	drop_stream "$S"
}

js() {
	NODE_PATH=$("$BATS_TEST_DIRNAME/../node/setup.sh") node "$BATS_TEST_DIRNAME/../node/plain.js" "$@"
}

@test "the js client publishes, rstream-tail reads every record exactly" {
	run -0 js publish "$S" "$N"
	run -0 rstream-tail -o first -e "$S"
	assert_output "$(seq 1 $N | sed 's/^/js-/')"
	run -0 rstream-tail -o first -e -J "$S"
	[ "${#lines[@]}" -eq "$N" ]
	for i in 1 2 150 "$N"; do
		o=$((i - 1))
		assert_line --index "$o" --regexp "^\{\"stream\":\"$S\",\"offset\":$o,\"timestamp\":[0-9]+,\"body\":\"js-$i\",\"properties\":\{\"message_id\":\"m-$i\",\"content_type\":\"text/plain\"\},\"application_properties\":\{\"src\":\"js\",\"i\":\"$i\"\}"
	done
}

@test "rstream-cat publishes, the js client reads every record exactly" {
	for i in $(seq 1 $N); do
		printf '{"body":"rs-%d","properties":{"message_id":"m-%d","content_type":"text/plain"},"application_properties":{"src":"rs","i":"%d"}}\n' "$i" "$i" "$i"
	done | rstream-cat -J "$S"
	run -0 js read "$S" "$N"
	[ "${#lines[@]}" -eq "$N" ]
	expect=$(for i in $(seq 1 $N); do
		printf '{"body":"rs-%d","message_id":"m-%d","content_type":"text/plain","app":{"src":"rs","i":"%d"}}\n' "$i" "$i" "$i"
	done)
	assert_output "$expect"
}
