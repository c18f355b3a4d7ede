# Shared set-up of the bats suites: the programs under test, bats-assert,
bats_require_minimum_version 1.5.0
# the broker to test against, and unique stream names.
bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

BUILDDIR=${BUILDDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
PATH="$BUILDDIR:$PATH"
PY=/usr/bin/python3
PYDIR="$BATS_TEST_DIRNAME/../python"

# Suites that talk to a broker call this from setup().
need_broker() {
	if [ -z "${RSTREAM_TEST_URI:-}" ]; then
		echo "RSTREAM_TEST_URI is not set: run through make check" >&2
		return 1
	fi
	export RSTREAM_URI="$RSTREAM_TEST_URI"
}

# broker_version: the version the broker says it is (RabbitMQ's, from the
# line rstream-tail -v writes on connecting), or nothing if it did not
# answer. Asks RSTREAM_TEST_URI, so setup_file() may call it; reads nothing,
# creates nothing.
broker_version() {
	RSTREAM_URI=${RSTREAM_TEST_URI:-} rstream-tail -v --info rst-version-probe 2>&1 |
		sed -n 's/.*(RabbitMQ \([0-9][0-9.]*\).*/\1/p' | head -1
}

# broker_older VERSION: is the broker older than VERSION? Sets
# BROKER_VERSION (from broker_version) unless a setup_file() did; an
# unknown version fails the test.
broker_older() {
	: "${BROKER_VERSION:=$(broker_version)}"
	[ -n "$BROKER_VERSION" ] || fail "the broker's version is unknown"
	[ "$(printf '%s\n%s\n' "$BROKER_VERSION" "$1" | sort -V | head -1)" != "$1" ]
}

# A stream name no other test (or run) uses.
new_stream() {
	printf 'rst-%s-%s-%s' "${BATS_TEST_NUMBER}" "$$" "$RANDOM$RANDOM"
}

# Delete a stream with the tools' own broker (best effort, for tidiness).
drop_stream() {
	"$PY" "$PYDIR/amqp091.py" delete "$1" >/dev/null 2>&1 || true
}

# Wait (up to SECONDS, default 5) until FILE has a line matching the regex;
# then go on either way: the caller's assertions say what was missing.
wait_grep() {
	for _ in $(seq $(( ${3:-5} * 10 ))); do
		grep -q -- "$1" "$2" && return 0
		sleep 0.1
	done
	return 0
}

# have_tls_broker: load RSTREAM_TEST_BROKER_DIR/broker.env (RSTREAM_TLS_PORT,
# RSTREAM_TLS_DIR, RSTREAM_TEST_TLS_URI, ...) and set BROKER_SH; fail if
# make check did not start the broker (RSTREAM_TEST_URI given): such a
# broker has no TLS listener or certificates that the tests know of.
have_tls_broker() {
	[ -n "${RSTREAM_TEST_BROKER_DIR:-}" ] &&
		grep -q '^RSTREAM_TLS_PORT=.' "$RSTREAM_TEST_BROKER_DIR/broker.env" 2>/dev/null ||
		return 1
	# shellcheck source=/dev/null
	. "$RSTREAM_TEST_BROKER_DIR/broker.env"
	# shellcheck disable=SC2034 # for the suites
	BROKER_SH=$BATS_TEST_DIRNAME/../broker.sh
}

# Suites that need the TLS listener of tests/broker.sh call this from setup()
# (after need_broker); the test is skipped without it.
need_tls_broker() {
	have_tls_broker ||
		skip "no TLS listener known: needs the broker that tests/broker.sh starts (make check without RSTREAM_TEST_URI)"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
