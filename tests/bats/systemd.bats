#!/usr/bin/env bats
# contrib/systemd: the units are clean under "systemd-analyze verify" (which
# needs no running systemd: it loads them from a root made here, with the
# programs where the units expect them and the system's own units beside),
# stay hardened, and do not restart on the exit statuses that need a person.

load helper

SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
UNITS='rstream-tail@test.service rstream-ship.service rstream-ship.timer'

setup() {
	command -v systemd-analyze || fail "systemd-analyze is missing: run contrib/deps.sh"
	R=$BATS_TEST_TMPDIR/root
	mkdir -p "$R/usr/bin" "$R/usr/libexec/rstream-tools" "$R/usr/lib/systemd" \
	    "$R/etc/systemd/system"
	cp "$BUILDDIR/rstream-cat" "$BUILDDIR/rstream-tail" "$R/usr/bin/"
	cp "$SRCDIR/contrib/cron/rstream-ship-log" "$R/usr/libexec/rstream-tools/"
	cp -r "$(readlink -f /usr/lib/systemd/system)" "$R/usr/lib/systemd/system"
	cp "$SRCDIR"/contrib/systemd/rstream-* "$R/etc/systemd/system/"
}

@test "systemd-analyze verify is clean for every unit" {
	# shellcheck disable=SC2086
	run systemd-analyze verify --man=no --root="$R" $UNITS
	assert_success
	assert_output ''
}

@test "the verification catches a broken unit" {
	sed -i 's/^ProtectSystem=strict/ProtectSystem=strictly/' \
	    "$R/etc/systemd/system/rstream-ship.service"
	run systemd-analyze verify --man=no --root="$R" rstream-ship.service
	assert_output --partial 'strictly'
}

@test "the services are hardened: exposure below 2.0 by systemd-analyze security" {
	for u in rstream-tail@test.service rstream-ship.service; do
		run systemd-analyze security --offline=true --threshold=20 --root="$R" "$u"
		assert_success
	done
	for f in "$SRCDIR"/contrib/systemd/*.service; do
		for d in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes \
		    CapabilityBoundingSet= PrivateTmp=yes ProtectHome=yes \
		    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'; do
			grep -qx -- "$d" "$f" || fail "${f##*/}: no $d"
		done
		grep -q -- '--password-file ${CREDENTIALS_DIRECTORY}/' "$f" ||
		    fail "${f##*/}: the password does not come from a credential"
		grep -q '^LoadCredential=' "$f" || fail "${f##*/}: no LoadCredential="
	done
}

@test "rstream-tail@ does not restart on the statuses that need a person, each one rstream-tail documents" {
	unit=$SRCDIR/contrib/systemd/rstream-tail@.service
	run -0 sed -n 's/^RestartPreventExitStatus=//p' "$unit"
	statuses=$output
	for st in 2 66 76 77; do
		[[ " $statuses " == *" $st "* ]] || fail "RestartPreventExitStatus= lacks $st"
	done
	help=$(rstream-tail --help | sed -n '/^Exit status/,$p')
	for st in $statuses; do
		grep -qw "$st" <<<"$help" || fail "rstream-tail --help does not document exit status $st"
	done
	grep -qx 'Restart=on-failure' "$unit"
	grep -q '^ExecStart=/usr/bin/rstream-tail -F -N %i ' "$unit"
}
