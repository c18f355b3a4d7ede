#!/bin/sh
# tests/check.sh unit|all: run the test suites with prove(1).
#
#   unit  the pure-core unit tests (TAP programs), no broker needed
#   all   the unit tests, then every bats suite against a broker: the one
#         RSTREAM_TEST_URI names, or a private one started (and stopped)
#         here with tests/broker.sh
#
# BUILDDIR is where the programs were built (make check sets it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
export BUILDDIR
mode=${1:-all}

unit_tests() {
	for t in "$BUILDDIR"/tests/unit/test-* "$BUILDDIR"/fuzz/replay-*; do
		case $t in *.c|*.o|*.log|*.trs) continue ;; esac
		[ -x "$t" ] && echo "$t"
	done
}

case $mode in
unit)
	# shellcheck disable=SC2046
	exec prove -f $(unit_tests)
	;;
all)
	;;
*)
	echo "usage: $0 unit|all" >&2
	exit 2
	;;
esac

broker_dir=
cleanup() {
	if [ -n "$broker_dir" ]; then
		"$here/broker.sh" stop "$broker_dir" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${RSTREAM_TEST_URI:-}" ]; then
	broker_dir=$(mktemp -d "${TMPDIR:-/tmp}/rstream-check.XXXXXX")
	rmdir "$broker_dir"
	RSTREAM_TEST_URI=$("$here/broker.sh" start "$broker_dir")
	# shellcheck disable=SC1091
	. "$broker_dir/broker.env"
	RSTREAM_TEST_AMQP_PORT=$RSTREAM_AMQP_PORT
	RSTREAM_TEST_BROKER_DIR=$broker_dir
	export RSTREAM_TEST_BROKER_DIR
fi
export RSTREAM_TEST_URI
export RSTREAM_TEST_AMQP_PORT="${RSTREAM_TEST_AMQP_PORT:-5672}"

# shellcheck disable=SC2046
prove -f $(unit_tests) "$here"/bats/*.bats
