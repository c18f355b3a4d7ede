#!/usr/bin/env bats
# rstream-cat's framings, limits, named publishers, --resume, signals and
# reporting, against a real broker. Round trips go through rstream-tail
# with the matching output framing and compare bytes.

load helper

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

# Binary records for the framings that can carry any byte.
make_binary() {
	"$PY" - "$1" "$2" <<'PY'
import sys, random
random.seed(int(sys.argv[2]))
recs = [b"", b"\x00", b"line\nwith\nnewlines", b"\xff\xfe invalid utf-8 \xc3\x28",
        bytes(range(256)), b"\r\n", b"x" * 70000]
recs += [bytes(random.randrange(256) for _ in range(random.randrange(300))) for _ in range(200)]
open(sys.argv[1], "wb").write(b"".join(len(r).to_bytes(4, "big") + r for r in recs))
PY
}

@test "be32 framing round trips any bytes (NUL, invalid UTF-8, newlines, 70 kB)" {
	make_binary "$T/in" 1
	run -0 rstream-cat --create --framing=be32 "$S" "$T/in"
	rstream-tail -o first --framing=be32 "$S" >"$T/out"
	cmp "$T/in" "$T/out"
	run -0 rstream-tail -o first -c 1 "$S"
	assert_output ''
}

@test "-0 round trips records with newlines and invalid UTF-8" {
	printf 'a\nb\0\xff\xfe\0\0last' >"$T/in"
	run -0 rstream-cat --create -0 "$S" "$T/in"
	rstream-tail -o first -0 "$S" >"$T/out"
	printf 'a\nb\0\xff\xfe\0\0last\0' | cmp - "$T/out"
	run -0 rstream-tail -o first -c 1 "$S"
	assert_output "$(printf 'a\nb')"
}

@test "-D takes any bytes with escapes, on input and output" {
	printf 'one\r\ntwo\r\n\r\nthree' >"$T/in"
	run -0 rstream-cat --create -D '\r\n' "$S" "$T/in"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'one\ntwo\n\nthree')"
	printf 'a--b----c' | rstream-cat -D '--' "$S"
	rstream-tail -o 4 -D '\x2d\x2d' "$S" >"$T/out"
	printf 'a--b----c--' | cmp - "$T/out"
}

@test "-W publishes each file whole, binary included, empty included" {
	head -c 5000 /dev/urandom >"$T/f1"
	: >"$T/f2"
	printf 'text\nwith lines\n' >"$T/f3"
	run -0 rstream-cat --create -W "$S" "$T/f1" "$T/f2" "$T/f3"
	rstream-tail -o first --framing=be32 "$S" >"$T/out"
	"$PY" - "$T/out" "$T/f1" "$T/f2" "$T/f3" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
recs, pos = [], 0
while pos < len(data):
    n = int.from_bytes(data[pos:pos + 4], "big")
    recs.append(data[pos + 4:pos + 4 + n])
    pos += 4 + n
want = [open(f, "rb").read() for f in sys.argv[2:]]
assert recs == want, (len(recs), [len(r) for r in recs])
PY
}

@test "--skip-empty drops empty records; record numbers still count them" {
	printf 'a\n\nb\n\n\nc\n' | rstream-cat --create --skip-empty --stats "$S" 2>"$T/err"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'a\nb\nc')"
	run -0 cat "$T/err"
	assert_output "rstream-cat: $S: 6 records read, 3 confirmed, 0 failed, 3 skipped"
}

@test "a record one byte over the limit exits 65; the records before it are in the stream" {
	"$PY" -c '
import sys
o = sys.stdout.buffer
for r in [b"first", b"second", b"y" * 1048544, b"after"]:
    o.write(len(r).to_bytes(4, "big") + r)' >"$T/in"
	run -65 rstream-cat --create --framing=be32 "$S" "$T/in"
	assert_line --index 0 "rstream-cat: $S: $T/in: line 3: record 3 is 1048544 bytes, longer than the 1048543 bytes a message can hold"
	assert_line --index 1 "rstream-cat: $S: 2 records read, 2 confirmed, 0 failed, 0 skipped; first unconfirmed: record 3"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'first\nsecond')"
}

@test "--oversize=skip warns, skips the record and publishes the rest" {
	{ echo first; head -c 1048544 /dev/zero | tr '\0' z; echo; echo after; } >"$T/in"
	run -0 rstream-cat --create --oversize=skip "$S" "$T/in"
	assert_output "rstream-cat: $T/in: line 2: skipped: record 2 is longer than the 1048543 bytes a message can hold"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'first\nafter')"
}

@test "a be32 input that ends inside a record exits 65 after publishing the whole ones" {
	printf '\0\0\0\002ok\0\0\0\011cut' >"$T/in"
	run -65 rstream-cat --create --framing=be32 "$S" "$T/in"
	assert_output --partial 'record 2: the input ends 3 bytes into a 9-byte record'
	run -0 rstream-tail -o first "$S"
	assert_output 'ok'
}

@test "-c N publishes N records and stops reading" {
	run -0 bash -c 'seq 1 1000000 | rstream-cat --create -c 5 "$1"' _ "$S"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(seq 1 5)"
}

@test "--resume run twice over 100,000 lines leaves 100,000; after 1,000 more, 101,000" {
	seq 1 100000 >"$T/log"
	run -0 rstream-cat --create -N job --resume "$S" "$T/log"
	run -0 rstream-cat -N job --resume --stats "$S" "$T/log"
	assert_output "rstream-cat: $S: 100000 records read, 0 confirmed, 0 failed, 0 skipped, 100000 already in the stream"
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(sha256sum <"$T/log")"
	seq 100001 101000 >>"$T/log"
	run -0 rstream-cat -N job --resume "$S" "$T/log"
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(sha256sum <"$T/log")"
}

@test "--resume detects an input shorter than what the stream has (truncated or rotated)" {
	seq 1 100 >"$T/log"
	rstream-cat --create -N job --resume "$S" "$T/log"
	seq 1 10 >"$T/log"
	run -65 rstream-cat -N job --resume "$S" "$T/log"
	assert_output --partial 'the input has 10 records, but publisher "job" already stored record 100'
}

@test "a named publisher without --resume goes on after the last stored id" {
	printf 'a\nb\n' | rstream-cat --create -N pub "$S"
	printf 'c\n' | rstream-cat -N pub "$S"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'a\nb\nc')"
}

@test "kill -9 in the middle of 1,000,000 lines, then --resume: every line once, in order" {
	seq 1 1000000 >"$T/log"
	rstream-cat --create -N big --resume "$S" "$T/log" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(rstream-tail -o last "$S" 2>/dev/null)" -gt 1000 ] 2>/dev/null && break
		sleep 0.02
	done
	kill -9 "$pid"
	wait "$pid" || true
	partial=$(rstream-tail -o last "$S")
	[ "$partial" -lt 1000000 ] || fail "the run finished before it was killed ($partial)"
	run -0 rstream-cat -N big --resume "$S" "$T/log"
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(sha256sum <"$T/log")"
}

@test "SIGTERM stops reading, reports, and dies by the signal; the stream holds what was confirmed" {
	seq 1 2000000 >"$T/log"
	rstream-cat --create "$S" "$T/log" 2>"$T/err" &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	run -0 cat "$T/err"
	assert_output --regexp "^rstream-cat: $S: ([0-9]+) records read, ([0-9]+) confirmed, 0 failed, 0 skipped; first unconfirmed: record [0-9]+$"
	confirmed=$(sed -E 's/.* records read, ([0-9]+) confirmed.*/\1/' "$T/err")
	[ "$confirmed" -gt 0 ] && [ "$confirmed" -lt 2000000 ]
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(head -n "$confirmed" "$T/log" | sha256sum)"
}

@test "input is published as soon as it would block: an idle pipe does not hold back a line" {
	rstream-cat --create "$S" </dev/null
	{ echo first; sleep 4; echo second; } | rstream-cat "$S" &
	pid=$!
	for _ in $(seq 30); do
		[ "$(rstream-tail -o first "$S")" = first ] && break
		sleep 0.1
	done
	run -0 rstream-tail -o first "$S"
	assert_output 'first'
	wait "$pid"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'first\nsecond')"
}

@test "--linger still publishes everything" {
	seq 1 5000 | rstream-cat --create --linger 200ms "$S"
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(seq 1 5000 | sha256sum)"
}

@test "--create takes every stream argument; the same again is fine, others are refused" {
	args=(--max-length-bytes 1GiB --max-age 2h --max-segment-size 50mb --leader-locator balanced --initial-cluster-size 1)
	run -0 rstream-cat --create "${args[@]}" "$S" </dev/null
	run -0 rstream-cat --create "${args[@]}" "$S" </dev/null
	run -1 rstream-cat --create --max-age 3h "$S" </dev/null
	assert_output "rstream-cat: $S: stream exists with other arguments (precondition failed)"
}

@test "usage errors of the new options" {
	run -2 rstream-cat --resume "$S"
	assert_output --partial '--resume needs --name'
	run -2 rstream-cat --framing=xml "$S"
	assert_output --partial '--framing: expected lines, null, be32 or whole: xml'
	run -2 rstream-cat -D '' "$S"
	assert_output --partial '--delimiter'
	run -2 rstream-cat -D '\q' "$S"
	assert_output --partial '--delimiter'
	run -2 rstream-cat --oversize=truncate "$S"
	assert_output --partial '--oversize'
	run -2 rstream-cat --max-in-flight 0 "$S"
	run -2 rstream-cat --linger 5y "$S"
	run -2 rstream-cat --leader-locator nearest --create "$S"
	run -2 rstream-cat --max-segment-size 10mb "$S"
	assert_output --partial 'need --create'
	run -2 rstream-cat -N "$(printf 'n%.0s' $(seq 300))" "$S"
}
