#!/usr/bin/env bats
# Man pages, --help and completions stay in step, and make install puts
# everything where it belongs.

load helper

SRCDIR="$BATS_TEST_DIRNAME/../.."

long_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u
}

@test "the man pages are clean under mandoc -Tlint" {
	run -0 mandoc -Tlint -Wwarning "$SRCDIR/man/rstream-cat.1" "$SRCDIR/man/rstream-tail.1"
	assert_output ''
}

@test "every option in --help is in the man page and the completion" {
	for tool in rstream-cat rstream-tail; do
		opts=$(long_options "$tool")
		[ -n "$opts" ]
		for o in $opts; do
			grep -q -- "${o#--}" "$SRCDIR/man/$tool.1" ||
			    fail "$tool: $o is not in man/$tool.1"
			grep -q -- "$o" "$SRCDIR/contrib/completions/$tool" ||
			    fail "$tool: $o is not in contrib/completions/$tool"
		done
	done
}

@test "every exit status in the man page is one --help mentions" {
	for tool in rstream-cat rstream-tail; do
		for st in $(mandoc -Tascii "$SRCDIR/man/$tool.1" | sed 's/.\x08//g' |
		    sed -n '/^EXIT STATUS/,/^[A-Z]/p' | grep -oE '^ +[0-9]+' | tr -d ' '); do
			"$tool" --help | grep -qw "$st" ||
			    fail "$tool: exit status $st is in the man page, not in --help"
		done
	done
}

@test "make install installs both tools, both man pages, the completions and the recipes" {
	dest="$BATS_TEST_TMPDIR/root"
	run make -C "$BUILDDIR" install DESTDIR="$dest" prefix=/usr
	assert_success
	for f in usr/bin/rstream-cat usr/bin/rstream-tail \
	    usr/share/man/man1/rstream-cat.1 usr/share/man/man1/rstream-tail.1 \
	    usr/share/bash-completion/completions/rstream-cat \
	    usr/share/bash-completion/completions/rstream-tail \
	    usr/share/zsh/site-functions/_rstream-cat \
	    usr/share/zsh/site-functions/_rstream-tail \
	    usr/share/fish/vendor_completions.d/rstream-cat.fish \
	    usr/share/fish/vendor_completions.d/rstream-tail.fish \
	    usr/libexec/rstream-tools/rstream-ship-log \
	    usr/share/doc/rstream-tools/examples/systemd/rstream-tail@.service \
	    usr/share/doc/rstream-tools/examples/systemd/rstream-ship.service \
	    usr/share/doc/rstream-tools/examples/systemd/rstream-ship.timer \
	    usr/share/doc/rstream-tools/examples/cron/rstream-ship.cron \
	    usr/share/doc/rstream-tools/examples/cron/logrotate-create \
	    usr/share/doc/rstream-tools/examples/cron/logrotate-copytruncate; do
		[ -s "$dest/$f" ] || fail "make install did not install $f"
	done
	[ -x "$dest/usr/libexec/rstream-tools/rstream-ship-log" ] ||
	    fail "rstream-ship-log is not executable"
	run -0 "$dest/usr/bin/rstream-cat" --version
	run -0 make -C "$BUILDDIR" uninstall DESTDIR="$dest" prefix=/usr
	run -0 find "$dest" -type f
	assert_output ''
}
