#!/usr/bin/env bats
# TLS against the TLS stream listener of the private broker (tests/broker.sh:
# the certificates of tests/tls-certs.sh, server.pem for DNS:localhost only,
# SASL EXTERNAL as the client certificate's CN, rstream-client):
# verification and its failures (exit 76, one line naming host:port),
# --tls-server-name, --insecure, SASL EXTERNAL, and the ways to give a
# password that keep it out of argv. A user with a distinctive password is
# made for the suite; every stderr of every run is kept, and the last test
# checks that the password is in none of them.
#
# SASL EXTERNAL depends on the broker, which runs as Debian ships it (make
# check runs this suite against both): RabbitMQ 3.10.8's stream plugin
# crashes the connection on EXTERNAL (rabbitmq-server#8488, fixed in 3.11.18
# and 3.12), so there the tests check that the tools refuse with 77 and the
# line that says so, and that the broker's log has the crash; on 4.0.5 they
# check that EXTERNAL logs in. Each broker gets its own assertions; none is
# skipped.

load helper

setup_file() {
	have_tls_broker || return 0 # setup skips every test
	export SECRET_USER="rst-tls-$$"
	export SECRET="Quokka-$RANDOM$RANDOM-not-for-logs"
	export ERRS=$BATS_FILE_TMPDIR/stderr
	mkdir -p "$ERRS"
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" add_user "$SECRET_USER" "$SECRET" >/dev/null
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" set_permissions -p / "$SECRET_USER" \
		'.*' '.*' '.*' >/dev/null
}

teardown_file() {
	have_tls_broker || return 0
	"$BROKER_SH" ctl "$RSTREAM_TEST_BROKER_DIR" delete_user "$SECRET_USER" >/dev/null 2>&1 || true
}

setup() {
	need_broker
	need_tls_broker
	unset RSTREAM_URI # need_broker's plain one: every run here says -u or sets it
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
	P=$RSTREAM_TLS_PORT
	D=$RSTREAM_TLS_DIR
	CA=$D/ca.pem
	# No password in the URIs that the tests do not mean to have one: the
	# tools would (rightly) warn on stderr, which most tests want empty.
	URI="rabbitmq-stream+tls://guest@localhost:$P/%2f"
	SURI="rabbitmq-stream+tls://$SECRET_USER@localhost:$P/%2f"
	export RSTREAM_PASSWORD=guest
	N=0
	SERVER_PID=''
	PLUGIN_OFF=''
}

teardown() {
	[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
	if [ -n "$PLUGIN_OFF" ]; then
		"$BROKER_SH" plugins "$RSTREAM_TEST_BROKER_DIR" enable rabbitmq_auth_mechanism_ssl \
			>/dev/null 2>&1 || echo "# could not enable rabbitmq_auth_mechanism_ssl again" >&3
	fi
	drop_stream "$S"
	if grep -lF -- "$SECRET" "$ERRS/$BATS_TEST_NUMBER".* 2>/dev/null; then
		fail "the test password is on the stderr above"
	fi
}

# t CMD...: run CMD (killed after 60 s) with stdout in $T/out and stderr in
# a file of the suite's stderr directory; its status in $status and its
# stderr in $output and $lines, for bats-assert. Stdin: redirect t's.
t() {
	N=$((N + 1))
	local e="$ERRS/$BATS_TEST_NUMBER.$N"
	status=0
	timeout 60 "$@" >"$T/out" 2>"$e" || status=$?
	output=$(cat "$e")
	lines=()
	[ -z "$output" ] || mapfile -t lines <"$e"
}

# ok_quiet: the last t exited 0 and said nothing on stderr.
ok_quiet() {
	assert_equal "$status" 0
	assert_output ''
}

# external_works: the broker's stream plugin can log a client in with SASL
# EXTERNAL: not before the fix of rabbitmq-server#8488 (3.11.18; 3.12).
external_works() {
	[ -n "${RSTREAM_BROKER_VERSION:-}" ] || fail "broker.env has no RSTREAM_BROKER_VERSION"
	[ "$(printf '%s\n' 3.11.18 "$RSTREAM_BROKER_VERSION" | sort -V | head -n 1)" = 3.11.18 ]
}

# external_crashes: how many times the node's log has the crash of
# rabbitmq-server#8488 (EXTERNAL handed the reader's state
# peer_properties_exchanged: function_clause in handle_response/2).
external_crashes() {
	grep -c '{rabbit_auth_mechanism_ssl,handle_response,' "$RSTREAM_LOG_DIR/$RSTREAM_NODE.log" || :
}

# external_refused TOOL: the last t was TOOL's EXTERNAL login on a broker
# without the fix: exit 77, the one line that names the bug, and a crash
# more in the node's log than CRASHES (external_crashes before the run).
external_refused() {
	local n
	assert_equal "$status" 77
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^$1: ($S: )?localhost:$P: the broker closed the connection on SASL EXTERNAL; RabbitMQ $(printf '%s' "$RSTREAM_BROKER_VERSION" | sed 's/\./\\./g') cannot authenticate stream connections with EXTERNAL \(fixed in 3\.11\.18 and 3\.12: rabbitmq-server#8488\)$"
	for _ in $(seq 50); do
		n=$(external_crashes)
		[ "$n" -gt "$CRASHES" ] && break
		sleep 0.1
	done
	[ "$n" -gt "$CRASHES" ] ||
		fail "no new rabbit_auth_mechanism_ssl:handle_response crash in $RSTREAM_LOG_DIR/$RSTREAM_NODE.log ($n)"
	CRASHES=$n
}

@test "a verified TLS round trip: 100,000 records through rstream-cat and back with rstream-tail -o first, silent, over TLS 1.3" {
	seq 1 100000 >"$T/in"
	t rstream-cat -u "$URI" --cacert "$CA" --create "$S" "$T/in"
	ok_quiet
	t rstream-tail -u "$URI" --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
	t rstream-tail -v -u "$URI" --cacert "$CA" -o first -c 1 "$S"
	assert_equal "$status" 0
	assert_line --regexp "^rstream-tail: connected to localhost:$P .*TLSv1\.3"
	assert_equal "$(cat "$T/out")" 1
}

@test "a CA that did not sign the broker's certificate: exit 76 at once (even with --retry-for), 'unknown CA' naming localhost:PORT" {
	t rstream-tail -u "$URI" --cacert "$D/other-ca.pem" -o first "$S"
	assert_equal "$status" 76
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-tail: ($S: )?localhost:$P: TLS handshake failed: unknown CA: "
	start=$SECONDS
	t rstream-cat -u "$URI" --cacert "$D/other-ca.pem" --retry-for 30s "$S" </dev/null
	assert_equal "$status" 76
	[ $((SECONDS - start)) -le 5 ] || fail "a TLS verification failure was retried for $((SECONDS - start)) s"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-cat: ($S: )?localhost:$P: TLS handshake failed: unknown CA: "
	# The system store does not hold the test CA either.
	t rstream-tail -u "$URI" -o first "$S"
	assert_equal "$status" 76
	assert_output --regexp "^rstream-tail: ($S: )?localhost:$P: TLS handshake failed: unknown CA: "
}

@test "an expired server certificate (openssl s_server): exit 76, 'certificate has expired' naming localhost:PORT" {
	port=$(free_port)
	# -www: s_server does not read stdin (at EOF it would drop the client).
	openssl s_server -www -cert "$D/expired.pem" -key "$D/expired.key" -accept "127.0.0.1:$port" \
		-naccept 1 </dev/null >"$T/s_server.log" 2>&1 3>&- &
	SERVER_PID=$!
	wait_grep ACCEPT "$T/s_server.log" 10
	grep -q ACCEPT "$T/s_server.log" || fail "s_server did not start: $(cat "$T/s_server.log")"
	t rstream-tail -u "rabbitmq-stream+tls://guest@localhost:$port/%2f" --cacert "$CA" -o first "$S"
	assert_equal "$status" 76
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-tail: ($S: )?localhost:$port: TLS handshake failed: certificate has expired$"
	# The tool told the server why (TLS alert 45), as it should.
	wait_grep 'alert certificate expired' "$T/s_server.log" 5
	grep -q 'alert certificate expired' "$T/s_server.log" ||
		fail "s_server got no 'certificate expired' alert: $(cat "$T/s_server.log")"
}

@test "connecting to 127.0.0.1, which the certificate does not name: exit 76, 'hostname mismatch: certificate is for localhost'" {
	t rstream-tail -u "rabbitmq-stream+tls://guest@127.0.0.1:$P/%2f" --cacert "$CA" -o first "$S"
	assert_equal "$status" 76
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-tail: ($S: )?127\.0\.0\.1:$P: TLS handshake failed: hostname mismatch: certificate is for localhost"
}

@test "--tls-server-name localhost makes 127.0.0.1 verify, for both tools" {
	seq 1 50 >"$T/in"
	t rstream-cat -u "rabbitmq-stream+tls://guest@127.0.0.1:$P/%2f" --tls-server-name localhost \
		--cacert "$CA" --create "$S" "$T/in"
	ok_quiet
	t rstream-tail -u "rabbitmq-stream+tls://guest@127.0.0.1:$P/%2f" --tls-server-name localhost \
		--cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
	# The name is checked, not just sent: another name fails.
	t rstream-tail -u "$URI" --tls-server-name rabbit.example --cacert "$CA" -o first "$S"
	assert_equal "$status" 76
	assert_output --partial "hostname mismatch: certificate is for localhost"
}

@test "--insecure connects where verification fails, with exactly one warning line per run" {
	seq 1 20 >"$T/in"
	t rstream-cat -u "rabbitmq-stream+tls://guest@127.0.0.1:$P/%2f" --insecure --create "$S" "$T/in"
	assert_equal "$status" 0
	assert_output "rstream-cat: warning: --insecure: the broker's certificate is not verified"
	t rstream-tail -u "rabbitmq-stream+tls://guest@127.0.0.1:$P/%2f" --insecure -o first "$S"
	assert_equal "$status" 0
	assert_output "rstream-tail: warning: --insecure: the broker's certificate is not verified"
	cmp "$T/in" "$T/out"
}

@test "a client certificate and no password anywhere: SASL EXTERNAL as the certificate's CN (3.10.8: refused, 77, rabbitmq-server#8488)" {
	unset RSTREAM_PASSWORD
	# With PLAIN, nosuchuser (password guest, the default) is refused.
	u="rabbitmq-stream+tls://nosuchuser@localhost:$P/%2f"
	t rstream-tail -u "$u" --cacert "$CA" -o first "$S"
	assert_equal "$status" 77
	seq 1 30 >"$T/in"
	if ! external_works; then
		CRASHES=$(external_crashes)
		t rstream-cat -u "$u" --cacert "$CA" --cert "$D/client.pem" --key "$D/client.key" --create "$S" "$T/in"
		external_refused rstream-cat
		t rstream-tail -u "rabbitmq-stream+tls://localhost:$P/%2f" --cacert "$CA" \
			--cert "$D/client.pem" --key "$D/client.key" -o first "$S"
		external_refused rstream-tail
		# Nothing was published: the stream was not even created.
		t rstream-tail -u "$URI" --cacert "$CA" -o first "$S"
		assert_equal "$status" 69
		return
	fi
	t rstream-cat -u "$u" --cacert "$CA" --cert "$D/client.pem" --key "$D/client.key" --create "$S" "$T/in"
	ok_quiet
	t rstream-tail -u "rabbitmq-stream+tls://localhost:$P/%2f" --cacert "$CA" \
		--cert "$D/client.pem" --key "$D/client.key" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
}

@test "--sasl-mechanism EXTERNAL wins over a password (3.10.8: refused, 77); without it, a certificate and a password mean PLAIN" {
	export RSTREAM_PASSWORD=wrong-password
	u="rabbitmq-stream+tls://nosuchuser@localhost:$P/%2f"
	seq 1 30 >"$T/in"
	CRASHES=$(external_crashes)
	t rstream-cat -u "$u" --sasl-mechanism EXTERNAL --cacert "$CA" --cert "$D/client.pem" \
		--key "$D/client.key" --create "$S" "$T/in"
	if external_works; then
		ok_quiet
	else
		external_refused rstream-cat
		# PLAIN as guest, to have something to read.
		RSTREAM_PASSWORD=guest t rstream-cat -u "$URI" --cacert "$CA" --create "$S" "$T/in"
		ok_quiet
	fi
	t rstream-tail -u "$u" --sasl-mechanism external --cacert "$CA" --cert "$D/client.pem" \
		--key "$D/client.key" -o first "$S"
	if external_works; then
		ok_quiet
		cmp "$T/in" "$T/out"
	else
		external_refused rstream-tail
		assert_equal "$(wc -c <"$T/out")" 0
	fi
	t rstream-tail -u "$u" --cacert "$CA" --cert "$D/client.pem" --key "$D/client.key" -o first "$S"
	assert_equal "$status" 77
	t rstream-tail -u "$u" --sasl-mechanism EXTERNAL --cacert "$CA" -o first "$S"
	assert_equal "$status" 2
}

@test "rabbitmq_auth_mechanism_ssl disabled on the broker: EXTERNAL ends with exit 77, 'does not offer SASL EXTERNAL'" {
	unset RSTREAM_PASSWORD
	"$BROKER_SH" plugins "$RSTREAM_TEST_BROKER_DIR" disable rabbitmq_auth_mechanism_ssl >"$T/plugins.log" 2>&1 ||
		fail "rabbitmq-plugins disable: $(cat "$T/plugins.log")"
	PLUGIN_OFF=1
	cert=(--cacert "$CA" --cert "$D/client.pem" --key "$D/client.key")
	t rstream-tail -u "rabbitmq-stream+tls://localhost:$P/%2f" "${cert[@]}" --sasl-mechanism EXTERNAL -o first "$S"
	assert_equal "$status" 77
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-tail: ($S: )?localhost:$P: the broker does not offer SASL EXTERNAL \(it offers [A-Z, ]*PLAIN[A-Z, ]*\)$"
	# Chosen automatically (certificate, no password): the same.
	t rstream-cat -u "rabbitmq-stream+tls://localhost:$P/%2f" "${cert[@]}" "$S" </dev/null
	assert_equal "$status" 77
	assert_output --regexp "^rstream-cat: ($S: )?localhost:$P: the broker does not offer SASL EXTERNAL"
	"$BROKER_SH" plugins "$RSTREAM_TEST_BROKER_DIR" enable rabbitmq_auth_mechanism_ssl >"$T/plugins.log" 2>&1 ||
		fail "rabbitmq-plugins enable: $(cat "$T/plugins.log")"
	PLUGIN_OFF=''
	# Offered again: it logs in (3.10.8: the broker takes EXTERNAL again
	# and crashes on it, rabbitmq-server#8488).
	CRASHES=$(external_crashes)
	t rstream-cat -u "rabbitmq-stream+tls://localhost:$P/%2f" "${cert[@]}" --create "$S" </dev/null
	if external_works; then
		ok_quiet
	else
		external_refused rstream-cat
	fi
}

@test "--password-file readable by others: one warning naming the file, and it works; mode 0600: no warning" {
	unset RSTREAM_PASSWORD
	printf '%s\n' "$SECRET" >"$T/pw"
	chmod 0644 "$T/pw"
	seq 1 10 >"$T/in"
	t rstream-cat -u "$SURI" --password-file "$T/pw" --cacert "$CA" --create "$S" "$T/in"
	assert_equal "$status" 0
	assert_equal "${#lines[@]}" 1
	assert_output --partial "rstream-cat: warning: --password-file $T/pw: readable by other users (mode 0644)"
	chmod 0640 "$T/pw"
	t rstream-tail -u "$SURI" --password-file "$T/pw" --cacert "$CA" -o first "$S"
	assert_equal "$status" 0
	assert_equal "${#lines[@]}" 1
	assert_output --partial "rstream-tail: warning: --password-file $T/pw: readable by other users (mode 0640)"
	cmp "$T/in" "$T/out"
	chmod 0600 "$T/pw"
	t rstream-tail -u "$SURI" --password-file "$T/pw" --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
	# The file is what logs in: a wrong one is refused.
	printf '%sx\n' "$SECRET" >"$T/pw"
	t rstream-tail -u "$SURI" --password-file "$T/pw" --cacert "$CA" -o first "$S"
	assert_equal "$status" 77
}

@test "--password-file that does not exist: exit 66 naming it" {
	t rstream-tail -u "$URI" --password-file "$T/no-such-file" --cacert "$CA" -o first "$S"
	assert_equal "$status" 66
	assert_equal "${#lines[@]}" 1
	assert_output --partial "--password-file $T/no-such-file"
	t rstream-cat -u "$URI" --password-file "$T/no-such-file" --cacert "$CA" "$S" </dev/null
	assert_equal "$status" 66
	assert_output --partial "--password-file $T/no-such-file"
}

@test "RSTREAM_URI and RSTREAM_PASSWORD from the environment; a password inside RSTREAM_URI works without a warning" {
	export RSTREAM_URI="$SURI" RSTREAM_PASSWORD="$SECRET"
	seq 1 10 >"$T/in"
	t rstream-cat --cacert "$CA" --create "$S" "$T/in"
	ok_quiet
	t rstream-tail --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
	RSTREAM_PASSWORD="${SECRET}x" t rstream-tail --cacert "$CA" -o first "$S"
	assert_equal "$status" 77
	unset RSTREAM_PASSWORD
	export RSTREAM_URI="rabbitmq-stream+tls://$SECRET_USER:$SECRET@localhost:$P/%2f"
	t rstream-tail --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
}

@test "password precedence: --password-file > password in -u > RSTREAM_PASSWORD > password in RSTREAM_URI > guest" {
	seq 1 5 >"$T/in"
	t rstream-cat -u "$URI" --cacert "$CA" --create "$S" "$T/in"
	ok_quiet
	printf '%s\n' "$SECRET" >"$T/pw"
	chmod 0600 "$T/pw"
	# Each time the password that should win is the only right one.
	RSTREAM_PASSWORD=wrong t rstream-tail -u "rabbitmq-stream+tls://$SECRET_USER:wrong@localhost:$P/%2f" \
		--password-file "$T/pw" --cacert "$CA" -o first "$S"
	assert_equal "$status" 0
	cmp "$T/in" "$T/out"
	RSTREAM_PASSWORD=wrong t rstream-tail -u "rabbitmq-stream+tls://$SECRET_USER:$SECRET@localhost:$P/%2f" \
		--cacert "$CA" -o first "$S"
	assert_equal "$status" 0
	cmp "$T/in" "$T/out"
	RSTREAM_URI="rabbitmq-stream+tls://$SECRET_USER:wrong@localhost:$P/%2f" RSTREAM_PASSWORD="$SECRET" \
		t rstream-tail --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
	unset RSTREAM_PASSWORD
	t rstream-tail -u "$URI" --cacert "$CA" -o first "$S"
	ok_quiet
	cmp "$T/in" "$T/out"
}

@test "a password in -u is gone from ps while rstream-cat runs, with one warning; nor is it in rstream-cat -v --stats output" {
	unset RSTREAM_PASSWORD
	mkfifo "$T/fifo"
	N=$((N + 1))
	e="$ERRS/$BATS_TEST_NUMBER.$N"
	rstream-cat -v --stats -u "rabbitmq-stream+tls://$SECRET_USER:$SECRET@localhost:$P/%2f" \
		--cacert "$CA" --create "$S" <"$T/fifo" >"$T/cat.out" 2>"$e" 3>&- &
	pid=$!
	exec {fd}>"$T/fifo"
	echo first >&"$fd"
	args=''
	for _ in $(seq 100); do
		args=$(ps -o args= -p "$pid" || true)
		[[ $args == *"$SECRET_USER:***@"* ]] && break
		sleep 0.05
	done
	[[ $args == *"$SECRET_USER:***@localhost:$P"* ]] || { exec {fd}>&-; kill "$pid"; fail "ps shows: $args"; }
	for _ in $(seq 10); do
		args=$(ps -o args= -p "$pid" || true)
		[[ $args != *"$SECRET"* ]] || { exec {fd}>&-; kill "$pid"; fail "the password is back in ps"; }
		sleep 0.05
	done
	echo second >&"$fd"
	exec {fd}>&-
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 0
	assert_equal "$(grep -c 'password in --uri is visible' "$e")" 1
	grep -qxF "rstream-cat: warning: the password in --uri is visible to other users; use --password-file or RSTREAM_PASSWORD" "$e" ||
		fail "no warning line as the spec has it: $(cat "$e")"
	grep -q 'connected to localhost' "$e" || fail "no -v output: $(cat "$e")"
	t rstream-tail -v -u "$URI" --cacert "$CA" -o first "$S"
	assert_equal "$status" 0
	printf 'first\nsecond\n' | cmp - "$T/out"
}

@test "a refused password is not in the error message (exit 77)" {
	t rstream-tail -u "rabbitmq-stream+tls://$SECRET_USER:${SECRET}x@localhost:$P/%2f" --cacert "$CA" -o first "$S"
	assert_equal "$status" 77
	assert_output --partial "$SECRET_USER"
	RSTREAM_PASSWORD="${SECRET}x" t rstream-cat -v -u "$SURI" --cacert "$CA" "$S" </dev/null
	assert_equal "$status" 77
}

@test "TLS options with a plain URI are a usage error (2), missing files exit 66 naming option and file" {
	for opt in "--cacert $CA" "--cert $D/client.pem" "--key $D/client.key" \
		"--tls-server-name localhost" "--insecure"; do
		# shellcheck disable=SC2086 # option and argument
		t rstream-tail -u "rabbitmq-stream://guest@localhost:$RSTREAM_STREAM_PORT/%2f" $opt -o first "$S"
		assert_equal "$status" 2
		assert_output --partial "rabbitmq-stream+tls://"
	done
	t rstream-tail -u "$URI" --cacert "$T/none.pem" -o first "$S"
	assert_equal "$status" 66
	assert_output --partial "--cacert $T/none.pem"
	echo 'not a certificate' >"$T/bad.pem"
	t rstream-cat -u "$URI" --cacert "$CA" --cert "$T/bad.pem" --key "$D/client.key" "$S" </dev/null
	assert_equal "$status" 66
	assert_output --partial "--cert $T/bad.pem"
	t rstream-cat -u "$URI" --cacert "$CA" --cert "$D/client.pem" --key "$T/none.key" "$S" </dev/null
	assert_equal "$status" 66
	assert_output --partial "--key $T/none.key"
}

@test "a key that is not the certificate's, or is encrypted, exits 66 naming it (no passphrase prompt)" {
	t rstream-cat -u "$URI" --cacert "$CA" --cert "$D/client.pem" --key "$D/other-ca.key" "$S" </dev/null
	assert_equal "$status" 66
	assert_output --partial "--key $D/other-ca.key: does not match the certificate in $D/client.pem"
	openssl pkey -in "$D/client.key" -aes128 -passout pass:secret-x -out "$T/enc.key"
	t rstream-cat -u "$URI" --cacert "$CA" --cert "$D/client.pem" --key "$T/enc.key" "$S" </dev/null
	assert_equal "$status" 66
	assert_output --partial "--key $T/enc.key: no unencrypted PEM private key"
}

@test "a --password-file whose first line is empty, too long or holds a NUL exits 66; a too long RSTREAM_PASSWORD is a usage error" {
	: >"$T/empty"
	printf '%0300d\n' 0 >"$T/long"
	printf 'a\0b\n' >"$T/nul"
	chmod 600 "$T/empty" "$T/long" "$T/nul"
	t rstream-tail -u "$URI" --cacert "$CA" --password-file "$T/empty" -o first "$S"
	assert_equal "$status" 66
	assert_output --partial "--password-file $T/empty: the first line is empty"
	t rstream-tail -u "$URI" --cacert "$CA" --password-file "$T/long" -o first "$S"
	assert_equal "$status" 66
	assert_output --partial "--password-file $T/long: the first line is longer than 254 bytes"
	t rstream-tail -u "$URI" --cacert "$CA" --password-file "$T/nul" -o first "$S"
	assert_equal "$status" 66
	assert_output --partial "--password-file $T/nul: the first line holds a NUL byte"
	RSTREAM_PASSWORD=$(printf '%0300d' 0) t rstream-tail -u "$URI" --cacert "$CA" -o first "$S"
	assert_equal "$status" 2
	assert_output --partial "RSTREAM_PASSWORD: longer than 255 bytes"
}

@test "RSTREAM_PASSWORD is not in the environment of rstream-tail -- COMMAND" {
	t rstream-cat -u "$URI" --cacert "$CA" --create "$S" <<<'one record'
	ok_quiet
	t rstream-tail -u "$URI" --cacert "$CA" -o first "$S" -- sh -c 'echo "pw=${RSTREAM_PASSWORD-unset}"'
	ok_quiet
	assert_equal "$(cat "$T/out")" "pw=unset"
}

@test "a +tls URI pointed at the broker's plain stream port: exit 76 within 10 s, 'does not speak TLS'" {
	start=$SECONDS
	t rstream-tail -u "rabbitmq-stream+tls://guest@localhost:$RSTREAM_STREAM_PORT/%2f" --cacert "$CA" -o first "$S"
	assert_equal "$status" 76
	[ $((SECONDS - start)) -le 10 ] || fail "took $((SECONDS - start)) s"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^rstream-tail: ($S: )?localhost:$RSTREAM_STREAM_PORT: TLS handshake failed: the server does not speak TLS"
}

@test "the test password is in no stderr of this suite" {
	n=$(find "$ERRS" -type f | wc -l)
	[ "$n" -ge 30 ] || fail "only $n stderr files in $ERRS: run the whole of tls.bats"
	grep -c "$SECRET_USER" "$ERRS"/* | grep -qv ':0$' || fail "no stderr names $SECRET_USER: the runs with the password did not happen"
	run grep -lF -- "$SECRET" "$ERRS"/*
	assert_failure 1
	assert_output ''
}
