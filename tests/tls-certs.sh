#!/bin/bash
# tls-certs.sh DIR - make the throw-away certificates of the TLS tests in DIR
# with the openssl command (OpenSSL 3; EC P-256 keys, so it takes well under
# a second). Nothing here is ever committed: the brokers' harnesses
# (tests/broker.sh, tests/cluster.sh) run it at start-up.
#
#   ca.pem ca.key            "rstream test CA" (self-signed)
#   server.pem server.key    CN=localhost, subjectAltName DNS:localhost only:
#                            deliberately no IP name, so that connecting to
#                            127.0.0.1 is a hostname mismatch
#   client.pem client.key    CN=rstream-client, extendedKeyUsage clientAuth
#                            (SASL EXTERNAL: the broker takes the user name
#                            from the CN)
#   other-ca.pem other-ca.key  an unrelated CA ("rstream other CA")
#   expired.pem expired.key  signed by ca, DNS:localhost, valid only from
#                            2020-01-01 to 2020-01-02 (openssl ca with
#                            -startdate/-enddate: x509 -req has no way to
#                            back-date in OpenSSL 3.0)
#
# Keys are mode 0600, certificates 0644. Idempotent: when every file is
# there and no certificate but expired.pem expires within a day, nothing is
# done; otherwise the whole set is made again (in a temporary directory,
# then moved into place). Quiet on success; on failure, openssl's output
# and a line saying what failed go to stderr, and the exit status is 1.

set -eu

PROG=${0##*/}
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $PROG DIR" >&2
	exit 2
fi
command -v openssl >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"
DIR=$1
NAMES='ca other-ca server client expired'
DAYS=30

# up_to_date: every file is there and the valid certificates stay valid for
# another day.
up_to_date() {
	local n
	for n in $NAMES; do
		[ -s "$DIR/$n.pem" ] && [ -s "$DIR/$n.key" ] || return 1
	done
	for n in ca other-ca server client; do
		openssl x509 -in "$DIR/$n.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
	done
	openssl verify -CAfile "$DIR/ca.pem" "$DIR/server.pem" "$DIR/client.pem" >/dev/null 2>&1
}

mkdir -p -- "$DIR" || die "cannot create $DIR"
up_to_date && exit 0

T=$(mktemp -d "$DIR/.tls-certs.XXXXXX") || die "cannot create a temporary directory in $DIR"
trap 'rm -rf -- "$T"' EXIT
LOG=$T/openssl.log

# run WHAT CMD...: run CMD with its output in the log; die showing it if
# CMD fails.
run() {
	local what=$1
	shift
	"$@" >>"$LOG" 2>&1 || { cat "$LOG" >&2; die "$what failed"; }
}

# key NAME: a P-256 key in T/NAME.key.
key() {
	run "key $1" openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$T/$1.key"
}

cat >"$T/ext.cnf" <<'EOF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# ca NAME CN: a self-signed CA.
ca() {
	key "$1"
	run "CA $1" openssl req -new -x509 -key "$T/$1.key" -out "$T/$1.pem" \
		-days $((DAYS * 10)) -subj "/O=rstream-tools tests/CN=$2" \
		-config "$T/ext.cnf" -extensions ca
}

# leaf NAME CN SECTION: a certificate signed by ca.
leaf() {
	key "$1"
	run "request $1" openssl req -new -key "$T/$1.key" -out "$T/$1.csr" \
		-subj "/O=rstream-tools tests/CN=$2" -config "$T/ext.cnf"
	run "certificate $1" openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" \
		-CAkey "$T/ca.key" -CAcreateserial -days "$DAYS" -sha256 \
		-extfile "$T/ext.cnf" -extensions "$3" -out "$T/$1.pem"
}

# expired: signed by ca for DNS:localhost, valid only in January 2020.
# openssl ca needs a config naming its database; it is made here and thrown
# away.
expired() {
	key expired
	run "request expired" openssl req -new -key "$T/expired.key" -out "$T/expired.csr" \
		-subj "/O=rstream-tools tests/CN=localhost" -config "$T/ext.cnf"
	mkdir "$T/db"
	: >"$T/db/index.txt"
	echo 1000 >"$T/db/serial"
	cat >"$T/ca.cnf" <<-EOF
	[ca]
	default_ca = test
	[test]
	dir = $T/db
	database = \$dir/index.txt
	serial = \$dir/serial
	new_certs_dir = \$dir
	default_md = sha256
	policy = any
	unique_subject = no
	copy_extensions = none
	x509_extensions = server
	[any]
	organizationName = optional
	commonName = supplied
	[server]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = DNS:localhost
	EOF
	run "certificate expired" openssl ca -batch -notext -config "$T/ca.cnf" \
		-cert "$T/ca.pem" -keyfile "$T/ca.key" -in "$T/expired.csr" \
		-startdate 20200101000000Z -enddate 20200102000000Z -out "$T/expired.pem"
}

umask 077
ca ca "rstream test CA"
ca other-ca "rstream other CA"
leaf server localhost server
leaf client rstream-client client
expired

# Check what the tests rely on before putting anything in place.
run "check server" openssl verify -CAfile "$T/ca.pem" -verify_hostname localhost "$T/server.pem"
run "check client" openssl verify -CAfile "$T/ca.pem" -purpose sslclient "$T/client.pem"
if openssl verify -CAfile "$T/ca.pem" -verify_ip 127.0.0.1 "$T/server.pem" >/dev/null 2>&1; then
	die "server.pem is valid for 127.0.0.1; the hostname mismatch tests need it not to be"
fi
if openssl verify -CAfile "$T/ca.pem" "$T/expired.pem" >>"$LOG" 2>&1 ||
	! grep -q 'certificate has expired' "$LOG"; then
	cat "$LOG" >&2
	die "expired.pem is not expired"
fi

for n in $NAMES; do
	chmod 0600 "$T/$n.key"
	chmod 0644 "$T/$n.pem"
	mv -f "$T/$n.key" "$DIR/$n.key"
	mv -f "$T/$n.pem" "$DIR/$n.pem"
done
