#!/bin/sh
# tests/asan.sh: build a copy of the tree with --enable-asan (AddressSanitizer
# and UndefinedBehaviorSanitizer) and run the pure-core unit tests under it.
# The copy lives in a temporary directory, so the normal build is untouched.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rstream-asan.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# One tar reads the whole list: xargs would start several once the
	# list is long, and the reader stops at the first archive's end.
	git ls-files -z --cached --others --exclude-standard |
	    tar cf - --null -T - | (cd "$work" && tar xf -)
else
	tar cf - --exclude=.git . | (cd "$work" && tar xf -)
fi
cd "$work"
autoreconf -fi >/dev/null 2>&1
CC=${CC:-cc} ./configure -q --enable-asan
make -s -j2 check-unit
