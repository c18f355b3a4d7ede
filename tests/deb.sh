#!/bin/sh
# tests/deb.sh: the Debian package, end to end. Builds it from a copy of the
# tree (dpkg-buildpackage -us -uc -b), checks it with lintian (no error, no
# warning), installs it with dpkg -i (apt-get install -f for what it
# depends on), checks where its files went, runs the hello-world pipeline
# and the log-shipping job with the installed programs against a private
# broker (tests/broker.sh), then purges the package.
#
# Run by .ci/run after the main suite, not by make check: it installs into
# the system (as root) and replaces any rstream-tools package installed.
# Every step has a time limit; the whole takes about two minutes here.
# Prints one "ok" or "not ok" line per check and a closing
# "deb: N passed, N failed"; exit 0 only if all passed.

# shellcheck disable=SC2317 # the checks are functions that check() runs
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/deb.sh: run as root (it installs the package)" >&2
	exit 2
fi
for t in dpkg-buildpackage lintian dh; do
	command -v "$t" >/dev/null || {
		echo "tests/deb.sh: $t is missing: run contrib/deps.sh" >&2
		exit 2
	}
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rstream-deb.XXXXXX")
broker=''
installed=0
cleanup() {
	[ -z "$broker" ] || "$here/broker.sh" stop "$broker" >/dev/null 2>&1 || :
	[ "$installed" = 0 ] || dpkg --purge rstream-tools >/dev/null 2>&1 || :
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0
ok() {
	passed=$((passed + 1))
	echo "ok $((passed + failed)) - $1"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok $((passed + failed)) - $1"
	shift
	for l in "$@"; do
		printf '#   %s\n' "$l"
	done
}
# check DESCRIPTION COMMAND...: a check that passes when COMMAND does; its
# output is shown only when it fails.
check() {
	d=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$d"
	else
		not_ok "$d" "$(printf '%s\n' "$out" | tail -20)"
	fi
}
finish() {
	echo "deb: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# The tree as it is (tracked files, with their changes), without what a
# build left in it.
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files | while IFS= read -r f; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done | tar -cf - -T -) | tar -xf - -C "$work/src"
elif [ -e "$top/config.status" ]; then
	echo "tests/deb.sh: $top is configured and not a git checkout: run it from a clean tree" >&2
	exit 2
else
	cp -a "$top/." "$work/src"
fi

if (cd "$work/src" && timeout 900 dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	case " ${DEB_BUILD_OPTIONS:-} " in
	*" nocheck "*) ok "dpkg-buildpackage -us -uc -b builds the package (nocheck: no make check-unit)" ;;
	*) ok "dpkg-buildpackage -us -uc -b builds the package, make check-unit included" ;;
	esac
else
	not_ok "dpkg-buildpackage -us -uc -b builds the package" "$(tail -30 "$work/build.log")"
	finish
fi
deb=$(ls "$work"/rstream-tools_*.deb)

# lintian: errors and warnings fail; informational tags are shown.
if out=$(timeout 300 lintian --fail-on error,warning -I "$work"/rstream-tools_*.changes 2>&1); then
	ok "lintian: no error, no warning"
else
	not_ok "lintian: no error, no warning" "$out"
fi
printf '%s\n' "$out" | grep -E '^[IPX]:' | sed 's/^/# lintian: /' || :

dpkg --purge rstream-tools >/dev/null 2>&1 || :
installed=1
if timeout 300 dpkg -i "$deb" >"$work/install.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -f -y -q >>"$work/install.log" 2>&1 &&
      dpkg-query -W -f='${Status}' rstream-tools | grep -q 'ok installed'; }; then
	ok "dpkg -i installs it"
else
	not_ok "dpkg -i installs it" "$(tail -20 "$work/install.log")"
	finish
fi

missing=''
for f in /usr/bin/rstream-cat /usr/bin/rstream-tail \
    /usr/share/man/man1/rstream-cat.1.gz /usr/share/man/man1/rstream-tail.1.gz \
    /usr/share/bash-completion/completions/rstream-cat \
    /usr/share/bash-completion/completions/rstream-tail \
    /usr/share/zsh/vendor-completions/_rstream-cat \
    /usr/share/zsh/vendor-completions/_rstream-tail \
    /usr/share/fish/vendor_completions.d/rstream-cat.fish \
    /usr/share/fish/vendor_completions.d/rstream-tail.fish \
    /usr/libexec/rstream-tools/rstream-ship-log \
    /usr/share/doc/rstream-tools/copyright \
    /usr/share/doc/rstream-tools/examples/systemd/rstream-tail@.service \
    /usr/share/doc/rstream-tools/examples/systemd/rstream-ship.service \
    /usr/share/doc/rstream-tools/examples/systemd/rstream-ship.timer \
    /usr/share/doc/rstream-tools/examples/cron/rstream-ship.cron \
    /usr/share/doc/rstream-tools/examples/cron/logrotate-create \
    /usr/share/doc/rstream-tools/examples/cron/logrotate-copytruncate; do
	[ -s "$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then
	ok "the programs, man pages, completions, job and recipes are in their places"
else
	not_ok "the programs, man pages, completions, job and recipes are in their places" "missing:$missing"
fi
man_pages() {
	man -w rstream-cat && man -w rstream-tail
}
zsh_fpath() {
	zsh -f -c 'print -l -- $fpath' | grep -qx /usr/share/zsh/vendor-completions
}
fish_completes() {
	HOME=$work fish -c 'complete -C"rstream-cat --fram"' | grep -q -- --framing
}
version() {
	/usr/bin/rstream-cat --version | grep -q '^Libraries: libev/'
}
check "man finds both pages" man_pages
check "zsh's default fpath has the vendor completions" zsh_fpath
check "fish loads its completion by itself" fish_completes
check "rstream-cat --version names the libraries" version

# The hello world of the README, with the installed programs only.
broker=$work/broker
if uri=$(timeout 180 "$here/broker.sh" start "$broker" 2>"$work/broker.log"); then
	ok "a private broker starts"
else
	not_ok "a private broker starts" "$(tail -20 "$work/broker.log")"
	broker=''
	finish
fi
export RSTREAM_URI="$uri"
hello() {
	echo 'Hello, World!' | timeout 30 /usr/bin/rstream-cat --create hello-python-stream &&
	    test "$(timeout 30 /usr/bin/rstream-tail -o first hello-python-stream)" = 'Hello, World!'
}
ship() {
	seq 1000 >"$work/app.log"
	for _ in 1 2; do
		PATH=/usr/bin:/bin timeout 60 /usr/libexec/rstream-tools/rstream-ship-log \
		    -d "$work/state" app shipped "$work/app.log" --create || return
	done
	timeout 30 /usr/bin/rstream-tail -o first shipped | cmp - "$work/app.log"
}
check "the hello world pipeline works with /usr/bin/rstream-cat and /usr/bin/rstream-tail" hello
check "the installed rstream-ship-log ships a log file, each line once over two runs" ship

"$here/broker.sh" stop "$broker" >/dev/null 2>&1 || :
broker=''
check "dpkg --purge removes it" dpkg --purge rstream-tools
installed=0
gone() {
	! test -e /usr/bin/rstream-cat && ! test -e /usr/libexec/rstream-tools
}
check "nothing of it is left" gone
finish
