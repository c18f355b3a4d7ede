#!/usr/bin/env bats
# rstream-cat --sub-entry-size and --compression against a real broker, read
# back by an implementation that is not ours: tests/python/subentry_read.py,
# a minimal Stream protocol consumer on stdlib sockets that decodes each
# sub-entry batch with Debian's Python bindings of the codec (gzip, snappy,
# lz4.frame, zstandard) and each message with python3-qpid-proton, and
# checks every record byte for byte. Also: the promises rstream-cat keeps
# without batches (exactly-once re-runs after kill -9, confirms before exit
# 0, signals, --max-in-flight, --linger, oversize records) kept with them.

load helper

CODECS="none gzip snappy lz4 zstd"

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

# check STREAM EXPECTED [options]: the independent reader agrees, byte for byte.
check() {
	"$PY" "$PYDIR/subentry_read.py" "$RSTREAM_URI" "$@"
}

# The last publishing id the broker stored for publisher $1 on $S.
sequence() {
	"$PY" "$PYDIR/subentry_read.py" "$RSTREAM_URI" "$S" --sequence "$1"
}

# N syslog-like lines (text that compresses as logs do, not random bytes).
log_lines() {
	awk -v n="$1" 'BEGIN {
		split("sshd cron kernel nginx postfix/smtpd systemd", prog, " ")
		for (i = 1; i <= n; i++) {
			p = prog[i % 6 + 1]
			printf "Dec  7 %02d:%02d:%02d web%d %s[%d]: ", i / 3600 % 24,
			    i / 60 % 60, i % 60, i % 7, p, 1000 + i % 9973
			if (i % 5 == 0)
				printf "Accepted publickey for deploy from 10.0.%d.%d port %d ssh2\n",
				    i % 255, i * 7 % 255, 30000 + i % 20000
			else if (i % 5 == 1)
				printf "GET /api/v1/items/%d HTTP/1.1 200 %d \"-\" \"curl/7.88\"\n",
				    i, i * 13 % 5000
			else
				printf "session %d opened for user u%d by (uid=0)\n", i, i % 97
		}
	}'
}

@test "usage errors: --sub-entry-size 0, 65536 or junk, an unknown codec, --compression without batches (exit 2, naming the option)" {
	for v in 0 65536 x 1e3 -1; do
		run -2 rstream-cat --sub-entry-size "$v" "$S" </dev/null
		assert_output --partial -- '--sub-entry-size'
	done
	run -2 rstream-cat --sub-entry-size 10 --compression brotli "$S" </dev/null
	assert_output --partial -- '--compression'
	assert_output --partial 'brotli'
	for c in gzip snappy lz4 zstd; do
		run -2 rstream-cat --compression "$c" "$S" </dev/null
		assert_output --partial -- '--compression'
		assert_output --partial -- '--sub-entry-size 2 or more'
		run -2 rstream-cat --sub-entry-size 1 --compression "$c" "$S" </dev/null
		assert_output --partial -- '--sub-entry-size 2 or more'
	done
	run -0 rstream-cat --create --compression none "$S" </dev/null
	run -0 rstream-cat --sub-entry-size 65535 --compression ZSTD "$S" </dev/null
}

@test "each codec: 20,000 log lines in batches of 100, read back byte for byte by Python's codecs and proton" {
	log_lines 20000 >"$T/in"
	rstream-cat --create "$S" </dev/null
	for c in $CODECS; do
		s="$S-$c"
		run -0 rstream-cat --create --sub-entry-size 100 --compression "$c" \
		    --stats "$s" "$T/in"
		assert_output "rstream-cat: $s: 20000 records read, 20000 confirmed, 0 failed, 0 skipped"
		run check "$s" "$T/in" --codec "$c" --max-batch 100
		drop_stream "$s"
		assert_success
		assert_output "records 20000, batches 200 (codecs $c), simple entries 0, largest batch 100"
	done
}

@test "each codec: binary records (--raw, be32: NUL, invalid UTF-8, empty, 70 kB) in batches of 7" {
	"$PY" - "$T/in" <<'PY'
import sys, random
random.seed(7)
recs = [b"", b"\x00", b"\xff\xfe invalid \xc3\x28", bytes(range(256)), b"x" * 70000]
recs += [bytes(random.randrange(256) for _ in range(random.randrange(200))) for _ in range(300)]
recs += [b"y" * 70000, b""]
open(sys.argv[1], "wb").write(b"".join(len(r).to_bytes(4, "big") + r for r in recs))
PY
	for c in $CODECS; do
		s="$S-$c"
		run -0 rstream-cat --create --raw --framing=be32 --sub-entry-size 7 \
		    --compression "$c" "$s" "$T/in"
		run check "$s" "$T/in" --raw --framing be32 --codec "$c" --max-batch 7
		drop_stream "$s"
		assert_success
		assert_output --partial 'records 307, '
	done
}

@test "batches stay within the frame: 2,000 records of 5,000 bytes make batches of about 200, not 1,000" {
	"$PY" -c 'import sys
for i in range(2000): sys.stdout.write(("%05d" % i) * 1000 + "\n")' >"$T/in"
	for c in none zstd; do
		s="$S-$c"
		run -0 rstream-cat --create --sub-entry-size 1000 --compression "$c" \
		    "$s" "$T/in"
		run check "$s" "$T/in" --codec "$c" --max-batch 210
		drop_stream "$s"
		assert_success
		assert_output --regexp 'largest batch (19[0-9]|20[0-9])$'
	done
}

@test "a record too large for a batch alone goes as a simple entry; one too large for a message still exits 65" {
	# The largest AMQP record of a 1 MiB frame: 1048543 bytes (man page).
	{ echo first; head -c 1048543 /dev/zero | tr '\0' a; echo; echo last; } >"$T/in"
	run -0 rstream-cat --create --sub-entry-size 100 --compression gzip "$S" "$T/in"
	run -0 check "$S" "$T/in"
	assert_output --regexp 'simple entries 1, '
	{ echo before; head -c 1048544 /dev/zero | tr '\0' a; echo; echo after; } >"$T/big"
	run -65 rstream-cat --sub-entry-size 100 --compression gzip "$S" "$T/big"
	assert_output --partial 'line 2'
	s="$S-skip"
	run -0 rstream-cat --create --sub-entry-size 100 --compression lz4 \
	    --oversize=skip "$s" "$T/big"
	assert_output --partial 'skipped'
	printf 'before\nafter\n' >"$T/rest"
	run check "$s" "$T/rest" --codec lz4
	drop_stream "$s"
	assert_success
}

@test "--max-in-flight counts records: with 10, batches of 100 hold at most 10" {
	log_lines 3000 >"$T/in"
	run -0 rstream-cat --create --max-in-flight 10 --sub-entry-size 100 \
	    --compression snappy "$S" "$T/in"
	run -0 check "$S" "$T/in" --codec snappy --max-batch 10
}

@test "batches keep 10,000 records in flight by default (2000 without batches): batches of 4000 fill" {
	seq 1 20000 >"$T/in"
	run -0 rstream-cat --create --sub-entry-size 4000 "$S" "$T/in"
	run -0 check "$S" "$T/in" --codec none --max-batch 4000
	assert_output --partial "largest batch 4000"
	# With the single-record default as the bound, no batch passes it.
	s="$S-2000"
	run -0 rstream-cat --create --max-in-flight 2000 --sub-entry-size 4000 "$s" "$T/in"
	run -0 check "$s" "$T/in" --codec none --max-batch 2000
	drop_stream "$s"
}

@test "an idle pipe does not hold back a line in a batch; --linger fills batches" {
	rstream-cat --create "$S" </dev/null
	{ echo first; sleep 4; echo second; } |
	    rstream-cat --sub-entry-size 100 --compression zstd "$S" &
	pid=$!
	echo first >"$T/first"
	run check "$S" "$T/first" --codec zstd --timeout 3
	wait "$pid"
	assert_success
	printf 'first\nsecond\n' >"$T/both"
	run -0 check "$S" "$T/both" --codec zstd
	assert_output --partial 'batches 2 '
	s="$S-linger"
	{ for i in $(seq 1 50); do echo "line $i"; sleep 0.01; done; } |
	    rstream-cat --create --linger 2s --sub-entry-size 100 --compression gzip "$s"
	seq 1 50 | sed 's/^/line /' >"$T/lines"
	run check "$s" "$T/lines" --codec gzip
	drop_stream "$s"
	assert_success
	assert_output --partial 'batches 1 '
}

# The file $1, a little at a time (1,999 lines every 10 ms or so), so that a
# run can be stopped in the middle whatever the machine's speed.
slowly() {
	awk '{ print } NR % 1999 == 0 { fflush(); system("sleep 0.01") }' "$1"
}

# kill -9 a --resume run in batches at a random point: the broker's stored
# sequence is the number of the last record stored, the stream holds exactly
# the records up to it, and a re-run (with another batch size, to show that
# ids do not depend on it) publishes each of the rest once.
@test "kill -9 in the middle of 300,000 lines in batches, then --resume: every line once, in order, for each codec" {
	seq 1 300000 >"$T/log"
	for c in $CODECS; do
		s="$S-$c"
		S=$s	# for sequence()
		rstream-cat --create "$s" </dev/null
		slowly "$T/log" | rstream-cat -N big --resume --sub-entry-size 100 \
		    --compression "$c" "$s" &
		pid=$!
		sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
		kill -9 "$pid"
		wait "$pid" || true
		# What was sent before the kill may still be written: wait until
		# the sequence stops moving.
		n=$(sequence big)
		while sleep 0.5 && [ "$(sequence big)" != "$n" ]; do
			n=$(sequence big)
		done
		echo "# $c: killed at record $n" >&3
		[ "$n" -lt 300000 ] || fail "$c: the run finished before it was killed"
		head -n "$n" "$T/log" >"$T/part"
		run check "$s" "$T/part" --codec "$c"
		[ "$status" -eq 0 ] || fail "$c: after kill -9 at $n: $output"
		run -0 rstream-cat -N big --resume --sub-entry-size 37 \
		    --compression "$c" --stats "$s" "$T/log"
		# (Killed before its first confirm, as under load: nothing is
		# in the stream, and the summary does not say "0 already".)
		present=
		[ "$n" -eq 0 ] || present=", $n already in the stream"
		assert_output --partial "300000 records read, $((300000 - n)) confirmed, 0 failed, 0 skipped$present"
		run check "$s" "$T/log" --codec "$c"
		[ "$status" -eq 0 ] || fail "$c: after the re-run: $output"
		run -0 sequence big
		assert_output 300000
		drop_stream "$s"
	done
}

@test "SIGTERM with batches: waits for confirms, reports, dies by the signal; the stream holds what was confirmed" {
	log_lines 300000 >"$T/log"
	rstream-cat --create "$S" </dev/null
	slowly "$T/log" |
	    rstream-cat --sub-entry-size 100 --compression lz4 "$S" 2>"$T/err" &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	run -0 cat "$T/err"
	assert_output --regexp "^rstream-cat: $S: ([0-9]+) records read, ([0-9]+) confirmed, 0 failed, 0 skipped; first unconfirmed: record [0-9]+$"
	confirmed=$(sed -E 's/.* records read, ([0-9]+) confirmed.*/\1/' "$T/err")
	[ "$confirmed" -gt 0 ] && [ "$confirmed" -lt 300000 ]
	head -n "$confirmed" "$T/log" >"$T/part"
	run -0 check "$S" "$T/part" --codec lz4
}

@test "a named publisher without --resume, in batches, goes on after the last stored id" {
	printf 'a\nb\nc\n' | rstream-cat --create -N pub --sub-entry-size 2 --compression gzip "$S"
	run -0 sequence pub
	assert_output 3
	printf 'd\ne\n' | rstream-cat -N pub --sub-entry-size 2 --compression gzip "$S"
	run -0 sequence pub
	assert_output 5
	printf 'a\nb\nc\nd\ne\n' >"$T/all"
	run -0 check "$S" "$T/all" --codec gzip
}

@test "a named publisher in batches whose connection is dropped sends again what was unconfirmed: every line once, in order" {
	[ -n "${RSTREAM_TEST_BROKER_DIR:-}" ] ||
	    skip "needs the private broker of tests/check.sh"
	seq 1 300000 >"$T/in"
	rstream-cat --create "$S" </dev/null
	# The input stays open until the connection is killed (rabbitmqctl
	# takes seconds to start on a busy machine: a run fed from a file may
	# be over by then), half of it written before, half after.
	mkfifo "$T/fifo"
	rstream-cat -v -N shipper --sub-entry-size 50 --compression gzip \
	    "$S" <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 8>"$T/fifo"
	head -n 150000 "$T/in" >&8
	"$BATS_TEST_DIRNAME/../broker.sh" ctl "$RSTREAM_TEST_BROKER_DIR" eval \
	    'rabbit_stream:kill_connection("rstream-cat").' >/dev/null
	slowly <(tail -n +150001 "$T/in") >&8
	exec 8>&-
	wait "$pid"
	run -0 grep -c 'connecting again' "$T/err"
	run -0 check "$S" "$T/in" --codec gzip --max-batch 50
}
