#!/usr/bin/env bats
# rstream-cat into rstream-tail through a real broker: the hello world,
# byte-for-byte round trips, framing edge cases.

load helper

setup() {
	need_broker
	S=$(new_stream)
}

teardown() {
	drop_stream "$S"
}

@test "the seed tutorial's hello world: --create, then -o first prints it" {
	run -0 rstream-cat --create "$S" <<<'Hello, World!'
	assert_output ''
	run -0 rstream-tail -o first "$S"
	assert_output 'Hello, World!'
}

@test "100,000 lines round trip byte for byte (empty lines, CR, UTF-8, no final newline)" {
	in="$BATS_TEST_TMPDIR/in"
	"$PY" - "$in" <<'PY'
import sys
lines = []
for i in range(100000):
    k = i % 6
    if k == 0: lines.append("")
    elif k == 1: lines.append("carriage return %d\r" % i)
    elif k == 2: lines.append("ünïcödé ✓ 日本語 %d" % i)
    elif k == 3: lines.append("\tleading tab and trailing space %d " % i)
    else: lines.append("record %d " % i + "x" * (i % 300))
open(sys.argv[1], "w", encoding="utf-8", newline="").write("\n".join(lines))
PY
	run -0 rstream-cat --create "$S" "$in"
	rstream-tail -o first "$S" >"$BATS_TEST_TMPDIR/out"
	# The input lacks a final newline; every output record ends with one.
	want=$({ cat "$in"; printf '\n'; } | sha256sum)
	got=$(sha256sum <"$BATS_TEST_TMPDIR/out")
	assert_equal "$got" "$want"
	run -0 wc -l <"$BATS_TEST_TMPDIR/out"
	assert_output 100000
}

@test "empty lines are records and a last line without a newline is kept" {
	printf 'a\n\n\nb\nlast' | rstream-cat --create "$S"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'a\n\n\nb\nlast')"
	assert_equal "${#lines[@]}" 3	# bats drops empty lines from lines[]
	run -0 rstream-tail -o 4 "$S"
	assert_output 'last'
}

@test "FILE operands are read in order, - is stdin, a record never spans files" {
	printf 'one\ntwo' >"$BATS_TEST_TMPDIR/f1"
	printf 'three\n' >"$BATS_TEST_TMPDIR/f2"
	printf 'from stdin\n' | rstream-cat --create "$S" "$BATS_TEST_TMPDIR/f1" - "$BATS_TEST_TMPDIR/f2"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'one\ntwo\nfrom stdin\nthree')"
}

@test "empty input connects, publishes nothing and exits 0" {
	rstream-cat --create "$S" </dev/null
	run -0 rstream-tail -o first "$S"
	assert_output ''
}

@test "--raw stores the bare bytes; rstream-tail prints them as they are" {
	printf 'raw one\nraw two\n' | rstream-cat --raw --create "$S"
	printf 'amqp three\n' | rstream-cat "$S"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'raw one\nraw two\namqp three')"
}

@test "records fill frames: 3 MB of input in lines of 10 kB round trip" {
	"$PY" -c 'import sys; sys.stdout.write("".join(("%05d" % i) * 2000 + "\n" for i in range(300)))' >"$BATS_TEST_TMPDIR/big"
	run -0 rstream-cat --create "$S" "$BATS_TEST_TMPDIR/big"
	rstream-tail -o first "$S" | cmp - "$BATS_TEST_TMPDIR/big"
}

@test "a line longer than a frame exits 65 naming file and record, after confirming the rest" {
	{ echo first; echo second; head -c 1100000 /dev/zero | tr '\0' y; echo; echo after; } >"$BATS_TEST_TMPDIR/long"
	run -65 rstream-cat --create "$S" "$BATS_TEST_TMPDIR/long"
	assert_output --partial "$BATS_TEST_TMPDIR/long: line 3: record 3 is longer than"
	assert_output --partial '2 records read, 2 confirmed, 0 failed, 0 skipped; first unconfirmed: record 3'
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'first\nsecond')"
}

@test "an oversize line in a later file is named by file, line and record" {
	printf 'a\nb\n' >"$BATS_TEST_TMPDIR/f1"
	{ echo c; head -c 1048544 /dev/zero | tr '\0' z; echo; } >"$BATS_TEST_TMPDIR/f2"
	run -65 rstream-cat --create "$S" "$BATS_TEST_TMPDIR/f1" "$BATS_TEST_TMPDIR/f2"
	assert_line --index 0 "rstream-cat: $S: $BATS_TEST_TMPDIR/f2: line 2: record 4 is longer than the 1048543 bytes a message can hold"
	run -0 rstream-tail -o first "$S"
	assert_equal "$output" "$(printf 'a\nb\nc')"
}

@test "the longest line that fits a frame is published whole" {
	head -c 1048543 /dev/zero | tr '\0' w >"$BATS_TEST_TMPDIR/max"
	run -0 rstream-cat --create "$S" "$BATS_TEST_TMPDIR/max"
	rstream-tail -o first "$S" | head -c 1048543 | cmp - "$BATS_TEST_TMPDIR/max"
}

@test "options may follow STREAM and FILE operands" {
	printf 'x\n' >"$BATS_TEST_TMPDIR/f"
	run -0 rstream-cat "$S" "$BATS_TEST_TMPDIR/f" --create
	run -0 rstream-tail "$S" -o first
	assert_output 'x'
}
