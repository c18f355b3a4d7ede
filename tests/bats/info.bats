#!/usr/bin/env bats
# rstream-tail --info: where streams, named readers and named publishers
# stand (figures exact after known publishes, reads and retention), as a
# table and as -J; --max-lag and --max-idle both ways; a missing stream.

# shellcheck disable=SC2154 # stderr: run --separate-stderr sets it
load helper

setup() {
	need_broker
	S=$(new_stream)
	S2=$(new_stream)x
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
	drop_stream "$S2"
}

now_ms() {
	"$PY" -c 'import time; print(int(time.time() * 1000))'
}

@test "--info -J: every field, exact, after 1000 records and a reader that stored 599" {
	before=$(now_ms)
	seq 0 999 | rstream-cat --create "$S"
	after=$(now_ms)
	run -0 rstream-tail -N report-job -c 600 -o first "$S"
	assert_equal "${lines[599]}" 599
	# The offset stored is that of the last record written: the next run starts at 600.
	run -0 rstream-tail -N report-job --no-store -c 1 "$S"
	assert_output 600
	run -0 --separate-stderr rstream-tail --info -J -N report-job -N nobody "$S"
	assert_equal "$stderr" ''
	echo "$output" >"$T/info.json"
	"$PY" - "$T/info.json" "$S" "$before" "$after" <<'PYEOF'
import json, re, sys
path, stream, before, after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(path).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert sorted(o) == sorted(["stream", "leader", "replicas", "first_offset", "last_offset",
    "first_timestamp", "last_timestamp", "readers", "publishers"]), sorted(o)
assert o["stream"] == stream, o
assert re.fullmatch(r"[^:\s]+:[0-9]+", o["leader"]), o["leader"]
assert o["replicas"] == [], o["replicas"]   # a single node
assert o["first_offset"] == 0, o
assert o["last_offset"] == 999, o           # the stored offset's tracking entry is no record
for k in ("first_timestamp", "last_timestamp"):
    assert isinstance(o[k], int) and before - 1000 <= o[k] <= after + 1000, (k, o[k], before, after)
assert o["first_timestamp"] <= o["last_timestamp"], o
assert o["readers"] == [{"name": "report-job", "offset": 599, "lag": 400},
                        {"name": "nobody", "offset": None, "lag": None}], o["readers"]
assert o["publishers"] == [{"name": "report-job", "sequence": 0},
                           {"name": "nobody", "sequence": 0}], o["publishers"]
PYEOF
}

@test "--info: the table, exact figures" {
	seq 0 999 | rstream-cat --create "$S"
	rstream-tail -N report-job -c 600 -o first "$S" >/dev/null
	run -0 --separate-stderr rstream-tail --info -N report-job "$S"
	assert_equal "$stderr" ''
	assert_line --index 0 "stream           $S"
	assert_line --regexp '^leader           [^:]+:[0-9]+$'
	assert_line 'replicas         -'
	assert_line 'first offset     0'
	assert_line 'last offset      999'
	assert_line --regexp '^first timestamp  20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z$'
	assert_line --regexp '^last timestamp   20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z$'
	assert_line 'reader           report-job: offset 599, lag 400'
	assert_line 'publisher        report-job: sequence 0'
}

@test "--info: records published after a stored offset count, its tracking entry takes an offset" {
	seq 0 9 | rstream-cat --create "$S"
	rstream-tail -N r -o first "$S" >/dev/null
	seq 10 14 | rstream-cat "$S"
	# 0..9, the tracking entry of r's offset 9 at 10, then 11..15.
	run -0 rstream-tail -o first "$S"
	assert_equal "${#lines[@]}" 15
	run -0 rstream-tail --info -J -N r "$S"
	echo "$output" | "$PY" -c '
import json, sys
o = json.loads(sys.stdin.read())
assert (o["first_offset"], o["last_offset"]) == (0, 15), o
assert o["readers"] == [{"name": "r", "offset": 9, "lag": 6}], o["readers"]'
	run -0 rstream-tail -n 1 -J "$S"
	assert_output --partial '"offset":15,'
}

@test "--info: a publisher's sequence after rstream-cat -N job --resume is the number of records shipped" {
	seq 1 250 >"$T/in"
	rstream-cat --create -N job --resume "$S" "$T/in"
	run -0 rstream-tail --info -J -N job "$S"
	assert_output --partial '"publishers":[{"name":"job","sequence":250}]'
	seq 251 300 >>"$T/in"
	rstream-cat -N job --resume "$S" "$T/in"
	run -0 rstream-tail --info -N job "$S"
	assert_line 'publisher        job: sequence 300'
	assert_line 'last offset      299'
	assert_line 'reader           job: no offset stored'
}

@test "--info: after retention removed the first segments, first_offset is the first record left" {
	"$PY" -c 'for i in range(5000): print("x" * 100, i)' |
		rstream-cat --create --max-segment-size 10kb --max-length-bytes 20kb "$S"
	run -0 rstream-tail -o first -J -c 1 "$S"
	first=$(echo "$output" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["offset"])')
	[ "$first" -gt 0 ]
	run -0 rstream-tail --info -J "$S"
	echo "$output" | "$PY" -c '
import json, sys
o = json.loads(sys.stdin.read())
first = int(sys.argv[1])
assert o["first_offset"] == first and o["first_offset"] > 0, (o, first)
assert o["last_offset"] == 4999, o
assert o["first_timestamp"] <= o["last_timestamp"], o' "$first"
}

@test "--info: an empty stream has null offsets, and says so in the table" {
	rstream-cat --create "$S" </dev/null
	run -0 rstream-tail --info -J -N r "$S"
	echo "$output" | "$PY" -c '
import json, sys
o = json.loads(sys.stdin.read())
for k in ("first_offset", "last_offset", "first_timestamp", "last_timestamp"):
    assert o[k] is None, (k, o)
assert o["readers"] == [{"name": "r", "offset": None, "lag": None}], o'
	run -0 rstream-tail --info "$S"
	assert_line 'records          none: the stream is empty'
}

@test "--info over several streams; a missing one is named on stderr and exits 69, the others are shown" {
	seq 1 3 | rstream-cat --create "$S"
	seq 1 5 | rstream-cat --create "$S2"
	run -69 --separate-stderr rstream-tail --info -J "$S" "${S}-missing" "$S2"
	assert_equal "$stderr" "rstream-tail: ${S}-missing: stream does not exist"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --partial "\"stream\":\"$S\",\"leader\""
	assert_line --index 0 --partial '"last_offset":2,'
	assert_line --index 1 --partial "\"stream\":\"$S2\",\"leader\""
	assert_line --index 1 --partial '"last_offset":4,'
}

@test "--max-lag: exit 0 at the limit, 3 past it with one line naming stream, reader and lag" {
	seq 0 999 | rstream-cat --create "$S"
	rstream-tail -N report-job -c 600 -o first "$S" >/dev/null
	run -0 --separate-stderr rstream-tail --info -N report-job --max-lag 400 "$S"
	assert_equal "$stderr" ''
	run -3 --separate-stderr rstream-tail --info -N report-job --max-lag 399 "$S"
	assert_equal "$stderr" "rstream-tail: $S: reader report-job is 400 records behind (--max-lag 399)"
	assert_line 'reader           report-job: offset 599, lag 400'
	run -3 --separate-stderr rstream-tail --info -J -N never --max-lag 1000 "$S"
	assert_equal "$stderr" "rstream-tail: $S: reader never has stored no offset (--max-lag 1000)"
	rstream-tail -N report-job "$S" >/dev/null
	run -0 rstream-tail --info -N report-job --max-lag 0 "$S"
}

@test "--max-idle: exit 0 while the last record is recent, 3 once it is older, with the figure" {
	seq 1 3 | rstream-cat --create "$S"
	run -0 --separate-stderr rstream-tail --info --max-idle 1h "$S"
	assert_equal "$stderr" ''
	sleep 2.2
	run -3 --separate-stderr rstream-tail --info --max-idle 1s "$S"
	assert_regex "$stderr" "^rstream-tail: $S: last record [0-9]+s ago \\(--max-idle 1s\\)\$"
	rstream-cat --create "$S2" </dev/null
	run -3 --separate-stderr rstream-tail --info --max-idle 1h "$S2"
	assert_equal "$stderr" "rstream-tail: $S2: the stream is empty (--max-idle 1h)"
}

@test "--info usage: the checks need --info, -N is repeatable only with --info, no reading options" {
	run -2 rstream-tail --max-lag 5 "$S"
	assert_output --partial '--max-lag and --max-idle need --info'
	run -2 rstream-tail --max-idle 5m "$S"
	run -2 rstream-tail -N a -N b "$S"
	assert_output --partial 'with --info'
	run -2 rstream-tail --info -f "$S"
	run -2 rstream-tail --info -o first "$S"
	run -2 rstream-tail --info
	assert_output --partial 'missing STREAM'
	run -2 rstream-tail --info --max-lag x "$S"
	run -2 rstream-tail --info --max-idle soon "$S"
}

@test "--info asks StreamStats where the broker has it (3.11+), and reads the chunk headers on 3.10" {
	rstream-cat --create "$S" </dev/null
	seq 1 3 | rstream-cat --create "$S2"
	run -0 --separate-stderr rstream-tail -v --info -J "$S" "$S2"
	version=$(echo "$stderr" | sed -n 's/.*(RabbitMQ \([0-9.]*\)[,)].*/\1/p' | head -1)
	[ -n "$version" ]
	case $version in
	3.10.*)
		assert_regex "$stderr" "$S: the stream is empty \\(no StreamStats on this broker\\)"
		assert_regex "$stderr" "$S2: read the first and last chunks \\(no StreamStats on this broker\\)"
		;;
	*)
		assert_regex "$stderr" "$S: StreamStats: the stream is empty"
		assert_regex "$stderr" "$S2: read the first and last chunks \\(StreamStats asked first\\)"
		;;
	esac
	assert_line --index 0 --partial '"first_offset":null,"last_offset":null,'
	assert_line --index 1 --partial '"first_offset":0,"last_offset":2,'
}
