#!/usr/bin/env bats
# JSON lines both ways (rstream-tail -J, rstream-cat -J and --dry-run),
# message properties (-H, --content-type, --content-encoding,
# --message-id) and --format. Every JSON line is checked with jq.

load helper

setup() {
	need_broker
	S=$(new_stream)
	S2=$(new_stream)-copy
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
	drop_stream "$S2"
}

# Records of every kind: text, binary, empty, raw, and an AMQP 0-9-1 publish.
fill() {
	printf 'text\n\nünï\n' | rstream-cat --create "$S"
	printf '\0\0\0\4\xff\x00\xfe\n' | rstream-cat --framing=be32 "$S"
	printf 'raw bytes\n' | rstream-cat --raw "$S"
	"$PY" "$PYDIR/amqp091.py" publish "$S" 'from pika'
	printf 'props\n' | rstream-cat -H app=1 -H who=me --content-type text/plain \
	    --content-encoding identity --message-id 'm-%n' "$S"
}

@test "-J writes valid JSON for every kind of record, with the right fields" {
	fill
	rstream-tail -o first -J "$S" >"$T/out"
	run -0 jq -e -c '[.offset, .body, .body_encoding, .format]' "$T/out"
	assert_equal "$output" "$(printf '%s\n' '[0,"text",null,null]' '[1,"",null,null]' \
	    '[2,"ünï",null,null]' '[3,"/wD+Cg==","base64",null]' '[4,"raw bytes",null,"raw"]' \
	    '[5,"from pika",null,null]' '[6,"props",null,null]')"
	run -0 jq -c "select(.offset == 5) | [.stream == \"$S\", .properties.content_type, .application_properties.origin, .message_annotations[\"x-routing-key\"] == \"$S\"]" "$T/out"
	assert_output '[true,"text/plain","pika",true]'
	run -0 jq -c 'select(.offset == 6) | [.properties, .application_properties]' "$T/out"
	assert_output '[{"message_id":"m-1","content_type":"text/plain","content_encoding":"identity"},{"app":"1","who":"me"}]'
	run -0 jq 'select(.offset == 0) | .timestamp > 1700000000000' "$T/out"
	assert_output true
}

@test "rstream-tail -J | rstream-cat -J copies a stream identically, binary included" {
	fill
	rstream-tail -o first -J "$S" | rstream-cat --create -J "$S2"
	diff <(rstream-tail -o first -J "$S" | jq -c 'del(.stream, .offset, .timestamp, .message_annotations)') \
	     <(rstream-tail -o first -J "$S2" | jq -c 'del(.stream, .offset, .timestamp, .message_annotations)')
	cmp <(rstream-tail -o first --framing=be32 "$S") <(rstream-tail -o first --framing=be32 "$S2")
}

@test "a binary user-id (proton's) round-trips through -J out and -J in" {
	# proton writes the message; -J shows user_id in base64, as every binary.
	"$PY" -c 'import proton, struct, sys
d = proton.Message(body=b"x", user_id=b"\xff\x00ab").encode()
sys.stdout.buffer.write(struct.pack(">I", len(d)) + d)' |
	    rstream-cat --create --raw --framing=be32 "$S"
	run -0 sh -c "rstream-tail -o first -J '$S' | jq -r .properties.user_id"
	assert_output '/wBhYg=='
	rstream-tail -o first -J "$S" | rstream-cat --create -J "$S2"
	run -0 sh -c "rstream-tail -o first -J '$S2' | jq -r .properties.user_id"
	assert_output '/wBhYg=='
	# A user_id that is not base64 is refused, naming the property.
	run -65 rstream-cat -J "$S2" <<<'{"body":"x","properties":{"user_id":"guest"}}'
	assert_output --partial 'property "user_id" is not base64'
}

@test "--dry-run prints the messages as rstream-tail -J would, without connecting" {
	printf 'a\n\xff\n' | rstream-cat --dry-run -u rabbitmq-stream://localhost:1/ \
	    -H k=v --message-id 'id-%n' "$S" >"$T/dry"
	run -0 jq -e -c '[.record, .body, .body_encoding, .properties.message_id, .application_properties.k]' "$T/dry"
	assert_equal "$output" "$(printf '%s\n' '[1,"a",null,"id-1","v"]' '[2,"/w==","base64","id-2","v"]')"
	printf 'a\n\xff\n' | rstream-cat --create -H k=v --message-id 'id-%n' "$S"
	diff <(jq -c 'del(.record, .stream, .message_annotations)' "$T/dry") \
	     <(rstream-tail -o first -J "$S" | jq -c 'del(.offset, .timestamp, .stream, .message_annotations)')
}

@test "--dry-run keeps every record of an input larger than its output bound" {
	# 100,000 JSON lines are about 13 MB: printing pauses framing at 8 MiB
	# at least once. From a file (read without the loop) and a pipe.
	seq 100000 >"$T/in"
	rstream-cat --dry-run -u rabbitmq-stream://localhost:1/ "$S" "$T/in" >"$T/dry"
	run -0 jq -r '"\(.record) \(.body)"' "$T/dry"
	[ "${#lines[@]}" -eq 100000 ] || fail "${#lines[@]} lines, not 100000"
	diff <(printf '%s\n' "${lines[@]}") <(paste -d ' ' "$T/in" "$T/in")
	seq 100000 | rstream-cat --dry-run -u rabbitmq-stream://localhost:1/ "$S" | cmp - "$T/dry"
}

@test "a bad JSON line exits 65 naming it; the lines before are published" {
	printf '{"body":"one"}\n{"body":"two"}\n{"body":\n{"body":"four"}\n' >"$T/in"
	run -65 rstream-cat --create -J "$S" "$T/in"
	assert_line --index 0 --partial "rstream-cat: $S: $T/in: line 3: record 3: bad JSON"
	assert_line --index 1 "rstream-cat: $S: 2 records read, 2 confirmed, 0 failed, 0 skipped; first unconfirmed: record 3"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'one\ntwo')"
	run -65 rstream-cat -J "$S" <<<'{"body":"x","body_encoding":"base64"}'
	assert_output --partial 'not valid base64'
	run -65 rstream-cat -J "$S" <<<'{"body":"x","properties":{"colour":"red"}}'
	assert_output --partial 'unknown property "colour"'
}

@test "pika sees the properties rstream-cat sets" {
	printf 'hello\n' | rstream-cat --create -H origin=cat --content-type text/plain "$S"
	run -0 "$PY" "$PYDIR/amqp091.py" consume "$S" first 1
	assert_output 'hello'
	run -0 "$PY" -c '
import os, sys, pika
c = pika.BlockingConnection(pika.ConnectionParameters("localhost", int(os.environ["RSTREAM_TEST_AMQP_PORT"])))
ch = c.channel(); ch.basic_qos(prefetch_count=1)
for m, p, b in ch.consume(sys.argv[1], arguments={"x-stream-offset": "first"}, inactivity_timeout=10):
    print(p.content_type, p.headers.get("origin"), b.decode()); break
c.close()' "$S"
	assert_output 'text/plain cat hello'
}

@test "--format prints kcat-style tokens and escapes" {
	printf 'abc\n' | rstream-cat --create -H a=1 -H b=two "$S"
	run -0 rstream-tail -o first --format '%o|%s|%S|%t|%h|%{b}h|%{zz}h|%%|\x41\t.\n' "$S"
	assert_output "$(printf '0|abc|3|%s|a=1,b=two|two||%%|A\t.' "$S")"
	rstream-tail -o first --format '%R%s' "$S" | cmp - <(printf '\0\0\0\3abc')
	run -0 rstream-tail -o first --format '%T %I' "$S"
	assert_output --regexp '^1[0-9]{12} 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$'
	run -2 rstream-tail --format '%q' "$S"
	assert_output --partial 'unknown token %q'
	run -2 rstream-tail -J --format '%s' "$S"
}

@test "non-data AMQP bodies print in their text form" {
	rstream-cat --create "$S" </dev/null
	# amqp-value string, number, list; amqp-sequence: written with the codec's test tool.
	"$BUILDDIR/tests/unit/amqp-tool" encode value-string >"$T/v1" 2>/dev/null ||
	    printf '\0\x53\x77\xa1\x05hello' >"$T/v1"
	printf '\0\x53\x77\x71\0\0\0\x2a' >"$T/v2"
	printf '\0\x53\x77\xc0\x06\x02\xa1\x01a\x54\x05' >"$T/v3"
	for f in "$T/v1" "$T/v2" "$T/v3"; do
		{ printf '\0\0\0'; printf '%b' "\\x$(printf %02x "$(stat -c %s "$f")")"; cat "$f"; } |
		    rstream-cat --raw --framing=be32 "$S"
	done
	run -0 rstream-tail -o first "$S"
	assert_line --index 1 '42'
	assert_line --index 2 '["a",5]'
	run -0 jq -e -c '[.body, .format]' <(rstream-tail -o 1 -J "$S")
	assert_equal "$output" "$(printf '%s\n' '[42,"amqp-value"]' '[["a",5],"amqp-value"]')"
}
