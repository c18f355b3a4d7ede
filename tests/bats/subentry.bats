#!/usr/bin/env bats
# rstream-tail reads sub-entry batches that another client wrote, through a
# real broker: tests/python/subentry_pub.py, a minimal Stream protocol
# publisher on the standard library and Debian's python3 codec modules (no
# code of ours), writes batches of every compression type in the framings
# of the Java, Go and Python clients, and prints the records it sent. The
# records must come out byte-exact, with the offsets, counts and JSON of
# simple entries; broken batches must be refused, naming the stream, the
# chunk and the batch, with exit status 1 as other malformed broker data.

load helper

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

# pub [OPTIONS] ENTRY...: publish to $S, appending the records sent to $T/sent.
pub() {
	"$PY" "$PYDIR/subentry_pub.py" "$@" >>"$T/sent"
}

# The offsets -J gave, one per line.
offsets() {
	jq -r .offset
}

@test "every codec in the Java client's framings, between simple entries: byte-exact" {
	pub "$S" simple:2 gzip:java:7 none:java:3 snappy:java:5 simple:1 \
	    lz4:java:6 zstd:java:4 simple:2
	run -0 rstream-tail -o first "$S"
	assert_equal "${#lines[@]}" 30
	assert_equal "$output" "$(cat "$T/sent")"
	run -0 rstream-tail -o first -J "$S"
	assert_equal "$(printf '%s\n' "$output" | offsets)" "$(seq 0 29)"
	assert_equal "$(printf '%s\n' "$output" | jq -r .body)" "$(cat "$T/sent")"
}

@test "the Go and Python framings, and AMQP 1.0 messages inside the batches" {
	pub --amqp "$S" gzip:go:3 snappy:go:4 lz4:go:5 zstd:go:3 gzip:python:2 \
	    snappy:raw:3 lz4:python:4 zstd:python:2
	pub --amqp --tag b "$S" gzip:two-members:4 gzip:named:2 \
	    snappy:extra-chunks:3 lz4:two-frames:4 lz4:java-2021:2 \
	    lz4:commons:3 zstd:two-frames:4
	run -0 rstream-tail -o first "$S"
	assert_equal "${#lines[@]}" 48
	assert_equal "$output" "$(cat "$T/sent")"
}

@test "large batches: 1000 records each, several LZ4 and snappy blocks" {
	pub "$S" gzip:java:1000 snappy:java:1000 lz4:java:1000 zstd:java:1000 \
	    lz4:go:1000
	run -0 rstream-tail -o first "$S"
	assert_equal "${#lines[@]}" 5000
	assert_equal "$output" "$(cat "$T/sent")"
}

@test "-o N inside a compressed batch starts exactly at N, for every codec" {
	pub "$S" gzip:java:10 snappy:java:10 lz4:java:10 zstd:java:10
	for n in 0 3 13 19 20 27 35 39; do
		run -0 rstream-tail -o "$n" "$S"
		assert_equal "$output" "$(tail -n +$((n + 1)) "$T/sent")"
	done
	run -0 rstream-tail -o 25 -c 2 -J "$S"
	assert_equal "$(printf '%s\n' "$output" | offsets)" "$(printf '25\n26')"
	run -0 rstream-tail -o 40 "$S"
	assert_output ''
}

@test "-n counts records, not entries or chunks" {
	pub "$S" zstd:java:10 simple:1
	pub --tag b "$S" lz4:java:10
	run -0 rstream-tail -n 3 "$S"
	assert_equal "$output" "$(tail -n 3 "$T/sent")"
	run -0 rstream-tail -n 12 "$S"
	assert_equal "$output" "$(tail -n 12 "$T/sent")"
	run -0 rstream-tail "$S"
	assert_equal "$output" "$(tail -n 10 "$T/sent")"
	run -0 rstream-tail -n 100 "$S"
	assert_equal "${#lines[@]}" 21
}

@test "-c stops inside a batch; --until stops before a later chunk of batches" {
	pub "$S" gzip:java:5 snappy:java:5
	run -0 rstream-tail -o first -c 7 "$S"
	assert_equal "$output" "$(head -n 7 "$T/sent")"
	sleep 1.1
	pub --tag b "$S" zstd:java:5
	ts=$(rstream-tail -o 10 -c 1 -J "$S" | jq -r .timestamp)
	until=$(date -u -d "@$((ts / 1000))" +%Y-%m-%dT%H:%M:%S).$(printf %03d $((ts % 1000)))Z
	run -0 rstream-tail -o first --until "$until" "$S"
	assert_equal "$output" "$(head -n 10 "$T/sent")"
}

@test "-f prints batches as they are published" {
	pub "$S" gzip:java:2
	rstream-tail -f -o first -c 12 "$S" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_grep '^r-0-1 ' "$T/out"
	pub --tag b "$S" lz4:java:4 zstd:java:6
	wait "$pid"
	run -0 cat "$T/out"
	assert_equal "$output" "$(cat "$T/sent")"
	run -0 cat "$T/err"
	assert_output ''
}

@test "-- COMMAND runs once per record of a compressed batch" {
	pub "$S" gzip:java:2 zstd:java:3
	run -0 rstream-tail -o first "$S" -- sh -c 'printf "%s %s\n" "$RSTREAM_OFFSET" "$(cut -c1-5)"'
	assert_equal "$output" "$(printf '0 r-0-0\n1 r-0-1\n2 r-1-0\n3 r-1-1\n4 r-1-2')"
}

# A broken batch: the records before it are printed, then one line names
# the stream, the chunk, the batch and why (it starts with $1, written for
# a chunk at offset 0), and the status is 1. How the broker cuts the three
# entries into chunks depends on timing: the chunk holding the batch (at
# offset 2) may start at offset 0, 1 or 2.
broken() {
	local want=${1#chunk at offset 0: } got
	shift
	pub "$S" simple:2 "$@"
	run -1 --separate-stderr rstream-tail -o first "$S"
	assert_equal "$output" "$(head -n 2 "$T/sent")"
	# shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
	assert_equal "${#stderr_lines[@]}" 1
	got=${stderr_lines[0]}
	if ! [[ $got =~ ^"rstream-tail: $S: bad chunk: chunk at offset "[012]": " ]] ||
	    [[ ${got#"${BASH_REMATCH[0]}"} != "$want"* ]]; then
		echo "got: $got" >&2
		return 1
	fi
}

@test "a corrupt gzip body is refused with the chunk and batch offsets" {
	broken 'chunk at offset 0: sub-entry batch at offset 2 (3 records): gzip body is corrupt or truncated (member at byte 0)' \
	    gzip:java:3:corrupt
}

@test "a batch that inflates to more than it declares is refused, every codec" {
	for c in gzip snappy lz4 zstd; do
		: >"$T/sent"
		S=$(new_stream)
		broken "chunk at offset 0: sub-entry batch at offset 2 (4 records): $c body inflates to more than the" \
		    "$c:java:4:short"
		drop_stream "$S"
	done
}

@test "an unknown compression type is refused" {
	broken 'chunk at offset 0: sub-entry batch at offset 2 (3 records, unknown): unknown compression type 5' \
	    type5:3
}

@test "a corrupt snappy chunk is refused" {
	broken 'chunk at offset 0: sub-entry batch at offset 2 (3 records): snappy chunk at byte 10 ' \
	    snappy:java:3:corrupt
}

@test "a bomb, 4 GiB of zeros in 128 KiB of zstd, is refused in bounded memory" {
	# Declared as 1 KiB, then as 64 MiB (the cap): decompression stops at
	# the declared size, so peak RSS stays under 64 MiB + 36 MiB.
	maxrss='import resource, subprocess, sys
r = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r)'
	for size in 1024 67108864; do
		: >"$T/sent"
		S=$(new_stream)
		pub "$S" simple:2 "bomb:$size"
		run -1 --separate-stderr "$PY" -c "$maxrss" "$T/rss" rstream-tail -o first "$S"
		assert_equal "$output" "$(cat "$T/sent")"
		# The broker cuts the entries into chunks as they arrive (as in broken()).
		assert_regex "${stderr_lines[0]}" "^rstream-tail: $S: bad chunk: chunk at offset [012]: sub-entry batch at offset 2 \\(1 records\\): zstd body inflates to more than the $size bytes its header says\$"
		rss=$(cat "$T/rss")
		if [ "$rss" -gt $((100 * 1024)) ]; then
			echo "peak RSS $rss KiB" >&2
			return 1
		fi
		drop_stream "$S"
	done
}
