#!/bin/sh
# contrib/deps.sh: install what building and testing rstream-tools needs, on
# Debian 12 (bookworm). Run as root, or as a user who may sudo.
#
#   build   gcc, make, autoconf, automake, pkg-config, libev, zlib, jansson,
#           OpenSSL, and the sub-entry batch codecs: libdeflate (gzip),
#           libsnappy, liblz4, libzstd (configure --without-snappy etc. to
#           build without one)
#   broker  rabbitmq-server (3.10.8 on Debian 12; tests start a private node)
#   tests   bats with bats-support and bats-assert, python3-pika (the AMQP
#           0-9-1 interop peer), python3-qpid-proton (the independent AMQP
#           1.0 codec), mandoc (man page lint), clang (sanitizers), openssl (test
#           certificates, a TLS server for the handshake failure tests),
#           python3-lz4, python3-zstandard, python3-snappy and python3-crcmod
#           (sub-entry batches written independently of our codecs), node
#           and npm (tests/node/setup.sh installs rabbitmq-stream-js-client,
#           the super-stream interop peer, from the npm registry)
#   lint    shellcheck (every shell script), zsh and fish (their completions
#           are loaded in them), systemd (systemd-analyze verify of the
#           units), logrotate (the cron recipe's snippets, run for real)
#   package debhelper, fakeroot, lintian, man-db (tests/deb.sh builds the
#           .deb, installs it and looks for its man pages)
set -eu

packages="build-essential autoconf automake pkg-config libev-dev zlib1g-dev
libjansson-dev libssl-dev openssl libdeflate-dev libsnappy-dev liblz4-dev
libzstd-dev python3-lz4 python3-zstandard python3-snappy python3-crcmod
rabbitmq-server bats bats-support bats-assert python3 python3-pika
python3-qpid-proton mandoc clang
shellcheck zsh fish systemd logrotate debhelper fakeroot lintian man-db"

# The interop tests with rabbitmq-stream-js-client (tests/node) need node
# and npm: Debian's, unless the machine has its own.
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"

if [ "$(id -u)" -eq 0 ]; then
	sudo=
else
	sudo=sudo
fi

# Skip apt entirely when everything is there already (CI machines are reused).
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
