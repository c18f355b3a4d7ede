#!/bin/sh
# tests/node/setup.sh: install rabbitmq-stream-js-client (the version
# package-lock.json pins) for the interop tests, once, into a cache outside
# the source tree (which make distcheck makes read-only), and print the
# node_modules directory to put on NODE_PATH. Needs node and npm, and the
# npm registry the first time; fails saying so otherwise. npm's report
# ("added N packages") goes nowhere: the suites call this inside bats' run,
# whose output takes stderr too (its errors still go to stderr).
#   RSTREAM_NODE_CACHE  where (default /var/cache/rstream-tools/node)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${RSTREAM_NODE_CACHE:-/var/cache/rstream-tools/node}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "setup.sh: node and npm are needed for the js client interop tests (contrib/deps.sh)" >&2
	exit 1
fi
if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" ||
    [ ! -d "$dir/node_modules/rabbitmq-stream-js-client" ]; then
	mkdir -p "$dir"
	cp "$here/package.json" "$here/package-lock.json" "$dir/"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
		echo "setup.sh: npm ci failed in $dir: is the npm registry reachable?" >&2
		exit 1
	}
fi
echo "$dir/node_modules"
