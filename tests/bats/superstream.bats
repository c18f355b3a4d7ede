#!/usr/bin/env bats
# rstream-cat --super-stream: creating, publishing with hash and Route
# routing, exactly-once re-runs under kill -9, deleting. Where each record
# lands is checked against two independent implementations of the clients'
# hash routing: tests/python/murmur3.py (written from the algorithm's
# description) and rabbitmq-stream-js-client itself (tests/node, installed
# by tests/node/setup.sh from the npm registry), which also publishes to
# and reads from the same super streams. Super streams need RabbitMQ 3.11:
# against an older broker every test asserts the refusal instead (exit 69,
# one line).

load helper

setup_file() {
	BROKER_VERSION=$(broker_version)
	export BROKER_VERSION
}

setup() {
	need_broker
	S=$(new_stream)
}

teardown() {
	if ! old_broker; then
		rstream-cat --super-stream --delete "$S" >/dev/null 2>&1 || true
	fi
}

# Is the broker older than 3.11 (no super streams)? Unknown: the test fails.
old_broker() {
	broker_older 3.11.0
}

# On a broker without super streams: assert the refusal of "$@" and say so.
refused() {
	run -69 "$@" </dev/null
	assert_output "rstream-cat: $S: super streams need RabbitMQ 3.11 or later; the broker is $BROKER_VERSION"
}

# The js client, with its modules from tests/node/setup.sh.
js() {
	local script=$1
	shift
	NODE_PATH=$("$BATS_TEST_DIRNAME/../node/setup.sh") node "$BATS_TEST_DIRNAME/../node/$script" "$@"
}

# Keys k0 ... k39 over 200 records: "kN:vI".
records() {
	for i in $(seq 1 200); do printf 'k%d:v%d\n' $((i % 40)) "$i"; done
}

@test "the broker's version is known" {
	[ -n "$BROKER_VERSION" ]
}

@test "super-stream usage errors exit 2" {
	run -2 rstream-cat --super-stream "$S" </dev/null
	assert_output --partial "needs a routing key"
	run -2 rstream-cat --super-stream -K : --key-field k -J "$S" </dev/null
	assert_output --partial "one of them"
	run -2 rstream-cat --super-stream --key-field k "$S" </dev/null
	assert_output --partial "it needs -J"
	run -2 rstream-cat --super-stream -K : --partitions 3 "$S" </dev/null
	assert_output --partial "need --create"
	run -2 rstream-cat --super-stream -K : --create "$S" </dev/null
	assert_output --partial "--partitions N or --binding-keys"
	run -2 rstream-cat -K : "$S" </dev/null
	assert_output --partial "are for --super-stream"
	run -2 rstream-cat --super-stream -K : --routing round-robin "$S" </dev/null
	run -2 rstream-cat --super-stream --delete "$S" somefile
}

@test "an old broker refuses super streams in one line, exit 69, before reading input" {
	if ! old_broker; then
		# 3.11 or later: the same commands go through.
		run -0 rstream-cat --super-stream --create --partitions 2 -K : "$S" </dev/null
		run -0 rstream-cat --super-stream --delete "$S"
		return
	fi
	refused rstream-cat --super-stream -K : "$S"
	refused rstream-cat --super-stream --create --partitions 2 -K : "$S"
	refused rstream-cat --super-stream --delete "$S"
	# Nothing was read: the records are still in the pipe's buffer.
	run -69 bash -c "printf 'k:v\n' | rstream-cat --super-stream -K : '$S'"
	run rstream-tail -o first "$S-0"
	assert_failure 69
}

@test "hash routing puts every key where murmur3.py and the js client put it" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 3 -K : --stats "$S" < <(records)
	assert_output --partial "200 records routed to 3 partitions"
	run -0 js super.js partitions "$S"
	assert_equal "$output" "$(printf '%s-0\n%s-1\n%s-2' "$S" "$S" "$S")"
	total=0
	for p in 0 1 2; do
		rstream-tail -o first "$S-$p" > "$BATS_TEST_TMPDIR/p$p"
		total=$((total + $(wc -l < "$BATS_TEST_TMPDIR/p$p")))
	done
	assert_equal "$total" 200
	# Every record: its key, from its number, gives its partition.
	keys=$(seq 0 39 | sed 's/^/k/')
	# shellcheck disable=SC2086
	py=$("$PY" "$PYDIR/murmur3.py" part 3 $keys | tr '\n' ' ')
	# shellcheck disable=SC2086
	jsp=$(js route.js 3 $keys | tr '\n' ' ')
	assert_equal "$py" "$jsp"
	read -r -a want <<<"$py"
	for p in 0 1 2; do
		while read -r v; do
			k=$(( ${v#v} % 40 ))
			[ "${want[$k]}" = "$p" ] || fail "v$v (key k$k) is in partition $p, not ${want[$k]}"
		done < "$BATS_TEST_TMPDIR/p$p"
	done
	# Order within a partition is the input's.
	for p in 0 1 2; do
		sort -t v -k2 -n -c "$BATS_TEST_TMPDIR/p$p"
	done
}

@test "the js client publishes to our super stream, we read it where it hashed" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 4 -K : "$S" </dev/null
	run -0 js super.js publish "$S" emea=js-emea amer=js-amer apac=js-apac k7=js-k7 order-1=js-order-1
	for k in emea amer apac k7 order-1; do
		p=$("$PY" "$PYDIR/murmur3.py" part 4 "$k")
		run -0 rstream-tail -o first "$S-$p"
		assert_line "js-$k"
	done
	run -0 rstream-cat --super-stream -K : "$S" < <(printf 'emea:cat-emea\nk7:cat-k7\n')
	p=$("$PY" "$PYDIR/murmur3.py" part 4 emea)
	run -0 rstream-tail -o first "$S-$p"
	assert_line js-emea
	assert_line cat-emea
}

@test "we publish, the js client reads each partition and finds the keys it would have hashed there" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 3 -K : "$S" < <(records)
	# shellcheck disable=SC2046
	read -r -a want <<<"$(js route.js 3 $(seq 0 39 | sed 's/^/k/') | tr '\n' ' ')"
	total=0
	for p in 0 1 2; do
		n=$(rstream-tail -o first "$S-$p" | wc -l)
		run -0 js super.js read "$S-$p" "$n"
		for v in $output; do
			k=$(( ${v#v} % 40 ))
			[ "${want[$k]}" = "$p" ] || fail "js read $v (key k$k) in partition $p"
			total=$((total + 1))
		done
	done
	assert_equal "$total" 200
}

@test "--routing key sends each record to the partition bound to its key (Route)" {
	old_broker && { refused rstream-cat --super-stream --routing key -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --binding-keys amer,emea,apac --routing key -K '\t' "$S" \
		< <(printf 'emea\tone\namer\ttwo\napac\tthree\nemea\tfour\n')
	run -0 rstream-tail -o first "$S-emea"
	assert_equal "$output" "$(printf 'one\nfour')"
	run -0 rstream-tail -o first "$S-amer"
	assert_equal "$output" two
	run -0 rstream-tail -o first "$S-apac"
	assert_equal "$output" three
	# A key no partition is bound to: exit 65, naming it; what came before is published.
	run -65 rstream-cat --super-stream --routing key -K '\t' "$S" < <(printf 'apac\tfive\nmars\tsix\n')
	assert_output --partial 'no partition is bound to routing key "mars"'
	run -0 rstream-tail -o first "$S-apac"
	assert_equal "$output" "$(printf 'three\nfive')"
}

@test "-J --key-field routes by an application property and keeps the message whole" {
	old_broker && { refused rstream-cat --super-stream -J --key-field application_properties.region "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 2 -J --key-field application_properties.region "$S" \
		< <(printf '{"body":"b1","application_properties":{"region":"emea"}}\n{"body":"b2","application_properties":{"region":"amer"}}\n')
	for r in emea amer; do
		p=$("$PY" "$PYDIR/murmur3.py" part 2 "$r")
		run -0 rstream-tail -J -o first "$S-$p"
		assert_output --partial "\"region\":\"$r\""
	done
	run -65 rstream-cat --super-stream -J --key-field application_properties.region "$S" < <(printf '{"body":"b3"}\n')
	assert_output --partial 'no routing key: the record has no "application_properties.region"'
}

@test "-N --resume: kill -9 mid-run, a re-run: every record exactly once, in its partition" {
	old_broker && { refused rstream-cat --super-stream -N pub --resume -K : "$S"; return; }
	in=$BATS_TEST_TMPDIR/in
	for i in $(seq 1 20000); do printf 'k%d:v%d\n' $((i % 50)) "$i"; done > "$in"
	run -0 rstream-cat --super-stream --create --partitions 3 -K : "$S" </dev/null
	# A slow feeder, so that the kill comes mid-run.
	setsid bash -c "while IFS= read -r l; do printf '%s\n' \"\$l\"; (( ++n % 200 )) || sleep 0.05; done < '$in' |
		rstream-cat --super-stream -K : -N pub --resume '$S'" 3>&- &
	pg=$!
	# Kill once some records are in (the feeder takes about 5 s for all).
	for _ in $(seq 100); do
		n=0
		for p in 0 1 2; do n=$((n + $(rstream-tail -o first "$S-$p" 2>/dev/null | wc -l))); done
		[ "$n" -ge 1000 ] && break
		sleep 0.1
	done
	kill -9 -- -"$pg"
	wait "$pg" || true
	before=0
	for p in 0 1 2; do
		before=$((before + $(rstream-tail -o first "$S-$p" | wc -l)))
	done
	[ "$before" -gt 0 ] && [ "$before" -lt 20000 ] || fail "the kill came at $before records, not mid-run"
	run -0 rstream-cat --super-stream -K : -N pub --resume --stats "$S" "$in"
	assert_output --partial "already in the stream"
	for p in 0 1 2; do rstream-tail -o first "$S-$p" > "$BATS_TEST_TMPDIR/p$p"; done
	run -0 bash -c "cat '$BATS_TEST_TMPDIR'/p? | wc -l"
	assert_equal "$output" 20000
	run -0 bash -c "cat '$BATS_TEST_TMPDIR'/p? | sort | uniq -d | wc -l"
	assert_equal "$output" 0
	# shellcheck disable=SC2046
	read -r -a want <<<"$("$PY" "$PYDIR/murmur3.py" part 3 $(seq 0 49 | sed 's/^/k/') | tr '\n' ' ')"
	for p in 0 1 2; do
		run -0 awk -v p="$p" -v want="${want[*]}" 'BEGIN { split(want, w, " ") }
			{ k = substr($0, 2) % 50; if (w[k + 1] != p) { print "v" $0 " in " p; bad++ } }
			END { exit bad > 0 }' "$BATS_TEST_TMPDIR/p$p"
	done
	# A third run finds everything there.
	run -0 rstream-cat --super-stream -K : -N pub --resume --stats "$S" "$in"
	assert_output --partial "20000 records routed"
	refute_output --regexp ' [1-9][0-9]* confirmed'
}

@test "--delete deletes the super stream; then it does not exist (69)" {
	old_broker && { refused rstream-cat --super-stream --delete "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 2 -K : "$S" </dev/null
	run -0 rstream-cat --super-stream --delete "$S"
	run -69 rstream-cat --super-stream -K : "$S" </dev/null
	assert_output "rstream-cat: $S: super stream does not exist (--create --partitions N creates it)"
	run -69 rstream-cat --super-stream --delete "$S"
	assert_output "rstream-cat: $S: super stream does not exist"
	run -69 rstream-tail -o first "$S-0"
}

@test "deleting a partition's stream drops its binding: Route finds no partition for its key (65)" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --binding-keys a,b --routing key -K : "$S" </dev/null
	drop_stream "$S-b"
	run -65 rstream-cat --super-stream --routing key -K : "$S" < <(printf 'a:1\nb:2\na:3\n')
	assert_output --partial 'no partition is bound to routing key "b"'
	run -0 rstream-tail -o first "$S-a"
	assert_equal "$output" 1
}

@test "a partition its user may not write to fails the run with that publisher's status (77); the others publish" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	have_tls_broker || skip "needs the broker tests/broker.sh started (rabbitmqctl for a user of its own): not with RSTREAM_TEST_URI alone"
	run -0 rstream-cat --super-stream --create --binding-keys a,b --routing key -K : "$S" </dev/null
	user=ss-$$-$RANDOM
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" add_user "$user" pw >/dev/null
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" set_permissions -p / "$user" '.*' "^(?!$S-b\$).*" '.*' >/dev/null
	uri=rabbitmq-stream://$user:pw@${RSTREAM_TEST_URI#*@}
	run rstream-cat -u "$uri" --super-stream --routing key -K : "$S" < <(printf 'a:1\nb:2\na:3\n')
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" delete_user "$user" >/dev/null 2>&1 || true
	assert_equal "$status" 77
	assert_output --partial "rstream-cat: $S-b: "
	run -0 rstream-tail -o first "$S-a"
	assert_equal "$output" "$(printf '1\n3')"
}

@test "SIGTERM to the router alone: its publishers confirm what was routed, then it dies of SIGTERM" {
	old_broker && { refused rstream-cat --super-stream -K : "$S"; return; }
	run -0 rstream-cat --super-stream --create --partitions 2 -K : "$S" </dev/null
	fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	rstream-cat --super-stream -K : "$S" < "$fifo" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	exec 8> "$fifo"
	printf 'a:one\nb:two\nc:three\n' >&8
	for _ in $(seq 50); do
		n=0
		for p in 0 1; do n=$((n + $(rstream-tail -o first "$S-$p" 2>/dev/null | wc -l))); done
		[ "$n" -eq 3 ] && break
		sleep 0.1
	done
	assert_equal "$n" 3
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	exec 8>&-
	assert_equal "$st" 143
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "3 records routed to 2 partitions; stopped by a signal"
	run -0 bash -c "rstream-tail -o first '$S-0'; rstream-tail -o first '$S-1'"
	assert_equal "$(sort <<<"$output")" "$(printf 'one\nthree\ntwo')"
}
