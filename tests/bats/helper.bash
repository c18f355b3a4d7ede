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
