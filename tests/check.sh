#!/bin/sh
# tests/check.sh unit|all: run the test suites with prove(1).
#
#   unit  the pure-core unit tests (TAP programs) and the layer check of
#         src/ (tests/layers.py, src/README), no broker needed
#   all   the unit tests, then every bats suite against a broker: the one
#         RSTREAM_TEST_URI names, once; else against a private node that
#         tests/broker.sh starts (and stops) for each RabbitMQ in
#         RSTREAM_BROKER, one after the other: by default "3.10 4.0",
#         Debian 12's 3.10.8 then Debian 13's 4.0.5 (in a chroot, built
#         the first time: tests/broker-lib.sh). RSTREAM_BROKER=3.10 or
#         RSTREAM_BROKER=4.0 runs against that one only.
#
# BUILDDIR is where the programs were built (make check sets it). prove
# shows the bats suites' comments (-o): a failure's diagnostics and the few
# notes tests print.
# Exit status: 0 if every run passed. Each run's time goes to stderr.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
export BUILDDIR
mode=${1:-all}

unit_tests() {
	echo "$here/layers.py"
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
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$broker_dir" ]; then
		"$here/broker.sh" stop "$broker_dir" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf 'check.sh: %s\n' "$*" >&2; }
secs() { echo $(( $(date +%s) - $1 )); }

# shellcheck disable=SC2046
prove -f $(unit_tests)

if [ -n "${RSTREAM_TEST_URI:-}" ]; then
	export RSTREAM_TEST_URI
	export RSTREAM_TEST_AMQP_PORT="${RSTREAM_TEST_AMQP_PORT:-5672}"
	exec prove -f -o "$here"/bats/*.bats
fi

rc=0 summary=
for kind in ${RSTREAM_BROKER:-3.10 4.0}; do
	t0=$(date +%s)
	broker_dir=$(mktemp -d "${TMPDIR:-/tmp}/rstream-check.XXXXXX")
	rmdir "$broker_dir"
	if ! RSTREAM_TEST_URI=$(RSTREAM_BROKER=$kind "$here/broker.sh" start "$broker_dir"); then
		say "RabbitMQ $kind: the broker did not start"
		summary="$summary RabbitMQ $kind: no broker;"
		broker_dir=
		rc=1
		continue
	fi
	t1=$(date +%s)
	# shellcheck disable=SC1091
	. "$broker_dir/broker.env"
	version=$RSTREAM_BROKER_VERSION
	say "the bats suites against RabbitMQ $version (started in $((t1 - t0)) s)"
	st=0
	(
		RSTREAM_TEST_AMQP_PORT=$RSTREAM_AMQP_PORT
		RSTREAM_TEST_BROKER_DIR=$broker_dir
		export RSTREAM_TEST_URI RSTREAM_TEST_AMQP_PORT RSTREAM_TEST_BROKER_DIR
		exec prove -f -o "$here"/bats/*.bats
	) || st=$?
	"$here/broker.sh" stop "$broker_dir" >/dev/null || rc=1
	broker_dir=
	if [ "$st" = 0 ]; then r=PASS; else r=FAIL; rc=1; fi
	say "RabbitMQ $version: $r in $(secs "$t1") s (and $((t1 - t0)) s to start the broker)"
	summary="$summary RabbitMQ $version: $r in $(secs "$t0") s;"
done
say "summary:$summary"
exit "$rc"
