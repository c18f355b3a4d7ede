#!/usr/bin/env bats
# contrib/cron: the shipping job (rstream-ship-log) against the private
# broker, with the real logrotate running the snippets of contrib/cron
# (paths pointed here): lines appended, shipped, rotated (create and
# copytruncate), appended, shipped again, one run killed with SIGKILL: the
# stream holds every line once, in order.

load helper

SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SHIP=$SRCDIR/contrib/cron/rstream-ship-log

setup() {
	need_broker
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
	LOG=$T/log/app.log
	mkdir -p "$T/log" "$T/state"
	chmod 0755 "$T/log"
	export STATE_DIRECTORY=$T/state
	run -0 rstream-cat --create "$S" </dev/null
	NEXT=1
}

teardown() {
	drop_stream "$S"
}

# append N [FILE]: the next N lines ("line 1", "line 2", ...) to FILE
# (default the log), with >> as a logging application opens it.
append() {
	seq -f 'line %.0f' "$NEXT" $((NEXT + $1 - 1)) >>"${2:-$LOG}"
	NEXT=$((NEXT + $1))
}

# The job as the crontab line runs it, under the NAME of the logrotate
# snippets.
job() {
	"$SHIP" "$@" web1-app "$S" "$LOG"
}

# logrotate -f with contrib/cron/logrotate-MODE, its paths pointing here (and
# "create" without an owner, for a run as another user than root).
rotate() {
	sed -e "s|/var/log/app/app.log|$LOG|" \
	    -e "s|/usr/libexec/rstream-tools/rstream-ship-log|$SHIP|" \
	    -e 's|^\([[:space:]]*create\).*|\1|' \
	    "$SRCDIR/contrib/cron/logrotate-$1" >"$T/logrotate.conf"
	chmod 0644 "$T/logrotate.conf"
	run -0 logrotate -f -s "$T/logrotate.status" "$T/logrotate.conf"
}

# The stream holds exactly lines 1 .. NEXT-1, once each, in order.
assert_stream() {
	rstream-tail -o first "$S" >"$T/got"
	seq -f 'line %.0f' 1 $((NEXT - 1)) >"$T/want"
	cmp -s "$T/got" "$T/want" ||
	    fail "the stream is not lines 1-$((NEXT - 1)) once each: $(diff "$T/want" "$T/got" | head -5)"
}

@test "rstream-ship-log: a usage error exits 2" {
	run -2 "$SHIP"
	assert_output --partial 'rstream-ship-log [-t]'
	run -2 "$SHIP" -q soon web1-app "$S" "$LOG"
	run -2 "$SHIP" 'web1 app' "$S" "$LOG"
	assert_output --partial 'NAME: letters, digits'
	run -66 "$SHIP" web1-app "$S" "$T/log/missing.log"
}

@test "logrotate create: re-runs, a partial line, a late line in the rotated file, kill -9 mid-run, a second rotation: each line once, in order" {
	append 100
	run -0 job -q 0
	assert_stream
	run -0 job -q 0
	assert_stream

	# A line still being written is left for a later run.
	append 50
	printf 'line %s' "$NEXT" >>"$LOG"
	run -0 job -q 0
	assert_stream
	printf '\n' >>"$LOG"
	NEXT=$((NEXT + 1))

	# Rotation: the application writes one more line to the renamed file
	# before it reopens, then to the new one. The new file waits until the
	# rotated one has been quiet for -q seconds.
	rotate create
	[ -f "$LOG.1" ] && [ -f "$LOG" ]
	append 1 "$LOG.1"
	append 48
	run -0 job
	NEXT=$((NEXT - 48)) assert_stream
	touch -d '-2 minutes' "$LOG.1"
	run -0 job
	assert_stream

	# A run killed with SIGKILL half-way (job and rstream-cat alike); the
	# next run publishes exactly what the stream lacks.
	append 400000
	setsid "$SHIP" -q 0 web1-app "$S" "$LOG" >"$T/killed.out" 2>&1 &
	pid=$!
	before=$(rstream-tail -n 1 "$S")
	for _ in $(seq 200); do
		last=$(rstream-tail -n 1 "$S")
		[ "$last" != "$before" ] && break
		sleep 0.05
	done
	kill -KILL -- "-$pid"
	wait "$pid" || :
	last=$(rstream-tail -n 1 "$S")
	[ "$last" != "$before" ] || fail "the killed run had published nothing"
	[ "$last" != "line $((NEXT - 1))" ] || fail "the run ended before it was killed"
	run -0 job -q 0
	assert_stream

	# The second rotation: FILE.1 becomes FILE.2 (compressed later), the
	# last lines of the first file were shipped, the new file's are.
	rotate create
	append 100
	run -0 job -q 0
	run -0 job -q 0
	assert_stream
	[ "$(ls "$T/state")" = '' ] || fail "create needs no state: $(ls "$T/state")"
}

@test "logrotate copytruncate: the copy ships what the file lacked, the truncated file under a new generation, each line once, in order" {
	append 100
	run -0 job -t
	assert_stream

	# Lines shipped before the rotation are in the copy too: skipped.
	append 50
	rotate copytruncate
	[ "$(stat -c %s "$LOG")" = 0 ] && [ -s "$LOG.1" ]
	append 50
	run -0 job -t
	assert_stream
	run -0 job -t
	assert_stream
	run -0 cat "$T/state/web1-app.gen"
	assert_output 1

	# Again, without a run between the last lines and the rotation.
	append 30
	rotate copytruncate
	append 20
	run -0 job -t
	run -0 job -t
	assert_stream
	run -0 cat "$T/state/web1-app.gen"
	assert_output 2
	run -0 wc -l <"$T/state/web1-app.copies"
	assert_output 2
}

@test "a run during a rotation (between the hooks) or during another run ships nothing and exits 0" {
	append 10
	run -0 "$SHIP" --prerotate web1-app
	run -0 job -q 0
	NEXT=1 assert_stream
	run -0 "$SHIP" --postrotate web1-app "$LOG" "$LOG.1"
	[ ! -e "$T/state/web1-app.rotating" ]
	run -0 job -q 0
	assert_stream

	append 10
	flock "$T/state" sleep 3 &
	sleep 0.5
	run -0 job -q 0
	NEXT=$((NEXT - 10)) assert_stream
	wait
	run -0 job -q 0
	assert_stream
}

@test "a rotation that never ended is reported after an hour (exit 1)" {
	append 1
	echo $(($(date +%s) - 7200)) >"$T/state/web1-app.rotating"
	run -1 job -q 0
	assert_output --partial 'did not end'
}
