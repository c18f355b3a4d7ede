#!/usr/bin/env bats
# --progress and --no-progress of both tools, and the automatic line on a
# terminal (a pseudo-terminal from script(1), util-linux): the line's
# final counts against what was published and read, stdout untouched,
# nothing on a stderr that is not a terminal unless asked, diagnostics
# that first blank the line.

load helper

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

# A file of N lines of 41 bytes (with the newline): N * 41 bytes.
lines() {
	seq -f '%08.0f a record of forty bytes, padded' 1 "$1" >"$2"
}

# The final line of a --progress output (the last \r-separated piece).
final_line() {
	tr '\r' '\n' <"$1" | grep -a 'records, .* bytes' | tail -n 1
}

@test "rstream-cat --progress: the final line holds the records and bytes read and confirmed, and they are all in the stream" {
	lines 30000 "$T/in"
	rstream-cat --create --progress --stats "$S" "$T/in" 2>"$T/err"
	run final_line "$T/err"
	assert_output --regexp '^30000 records, 1230000 bytes \(1\.17 MiB\) read in [0-9.]+ s, [0-9.]+ ([KMG]i)?B/s, 30000 confirmed$'
	# The line's confirmed count is the summary's (the broker's).
	run grep -a "$S: 30000 records read, 30000 confirmed, 0 failed" "$T/err"
	assert_success
	rstream-tail -o first -e "$S" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "rstream-tail --progress: the final line holds the records and bytes written; stdout is byte for byte the same as without it" {
	lines 20000 "$T/in"
	rstream-cat --create "$S" "$T/in"
	rstream-tail -o first -e --progress "$S" >"$T/out1" 2>"$T/err"
	rstream-tail -o first -e "$S" >"$T/out2" 2>"$T/err2"
	cmp "$T/out1" "$T/out2"
	cmp "$T/in" "$T/out1"
	run final_line "$T/err"
	assert_output --regexp '^20000 records, 820000 bytes \(801 KiB\) written in [0-9.]+ s, [0-9.]+[kMG]? rec/s$'
	[ ! -s "$T/err2" ]
	# -J output: the bytes counted are those written.
	rstream-tail -o first -e -J -c 7 --progress "$S" >"$T/json" 2>"$T/err"
	run final_line "$T/err"
	assert_output --regexp "^7 records, $(wc -c <"$T/json") bytes "
}

@test "without --progress and with stderr not a terminal: nothing on stderr, even for a large job" {
	lines 250000 "$T/in"
	rstream-cat --create "$S" "$T/in" 2>"$T/err"
	[ ! -s "$T/err" ]
	rstream-tail -o first -e "$S" >"$T/out" 2>"$T/err"
	[ ! -s "$T/err" ]
	cmp "$T/in" "$T/out"
}

@test "on a terminal, rstream-cat of a 10 MiB file shows the line by itself, and --no-progress turns it off" {
	lines 250000 "$T/in"
	script -qec "rstream-cat --create $S $T/in" /dev/null >"$T/tty"
	run final_line "$T/tty"
	assert_output --regexp '^250000 records, 10250000 bytes \(9\.78 MiB\) read in [0-9.]+ s, .*, 250000 confirmed'
	script -qec "rstream-cat --no-progress $S $T/in" /dev/null >"$T/tty2"
	[ ! -s "$T/tty2" ]
	# A small file: no line.
	head -n 10 "$T/in" >"$T/small"
	script -qec "rstream-cat $S $T/small" /dev/null >"$T/tty3"
	[ ! -s "$T/tty3" ]
	rstream-tail -o first -e "$S" | wc -l | grep -qx 500010
}

@test "on a terminal, rstream-tail -e over 60000 records with stdout in a file shows the line by itself; not with -f, not when stdout is the terminal" {
	lines 60000 "$T/in"
	rstream-cat --create "$S" "$T/in"
	script -qec "rstream-tail -o first -e $S >$T/out" /dev/null >"$T/tty"
	cmp "$T/in" "$T/out"
	run final_line "$T/tty"
	assert_output --regexp '^60000 records, 2460000 bytes \(2\.35 MiB\) written in '
	# Fewer records to go than the threshold: nothing.
	script -qec "rstream-tail -o 50000 -e $S >$T/out" /dev/null >"$T/tty"
	[ ! -s "$T/tty" ]
	script -qec "rstream-tail -o first -f -c 60000 $S >$T/out" /dev/null >"$T/tty"
	[ ! -s "$T/tty" ]
	script -qec "rstream-tail -o 59990 -e --no-progress $S >$T/out" /dev/null >"$T/tty"
	[ ! -s "$T/tty" ]
	# stdout on the terminal: the records, and no line.
	script -qec "rstream-tail -o first -e $S" /dev/null >"$T/tty"
	run grep -ac 'records, ' "$T/tty"
	assert_output 0
}

@test "rstream-tail --progress with stdout and stderr the same file: the final line only, after the data" {
	lines 100 "$T/in"
	rstream-cat --create "$S" "$T/in"
	rstream-tail -o first -e --progress "$S" >"$T/both" 2>&1
	head -n 100 "$T/both" | cmp - "$T/in"
	run tail -n +101 "$T/both"
	assert_output --regexp $'^\r100 records, 4100 bytes \\(4\\.00 KiB\\) written in '
	[ "$(tr -cd '\r' <"$T/both" | wc -c)" -eq 1 ]
}

@test "rstream-tail -f --progress: records and rate, no total; -c ends it with the final line" {
	lines 50 "$T/in"
	rstream-cat --create "$S" "$T/in"
	rstream-tail -o first -f -c 50 --progress "$S" >"$T/out" 2>"$T/err"
	cmp "$T/in" "$T/out"
	run final_line "$T/err"
	assert_output --regexp '^50 records, 2050 bytes \(2\.00 KiB\) written in '
}

@test "a warning while the line is shown blanks it first, and the line comes back under it" {
	{
		head -c 4000 /dev/zero | tr '\0' x
		printf '\nfirst\n'
		sleep 1.3
		"$PY" -c 'print("y" * 2000000)'
		sleep 0.7
		printf 'last\n'
	} | rstream-cat --create --progress --oversize=skip "$S" 2>"$T/err"
	# The warning starts a line of its own, after the line was blanked.
	run grep -ac $'\r *\rrstream-cat: -: line 3: skipped: ' "$T/err"
	assert_output 1
	run final_line "$T/err"
	assert_output --regexp '^4 records, 2004013 bytes \(1\.91 MiB\) read in .*, 3 confirmed$'
	# After the warning, the live line again.
	run bash -c "sed -n '/skipped/,\$p' '$T/err' | tr '\r' '\n' | grep -ac 'rec, '"
	[ "$output" -ge 1 ]
}

@test "--progress is refused with --info" {
	run -2 rstream-tail --info --progress "$S"
	assert_output --partial '--info takes only'
}
