#!/usr/bin/env bats
# The command line without a broker: help, version, usage errors, exit 2.

load helper

@test "rstream-cat --help prints usage on stdout and exits 0" {
	run -0 rstream-cat --help
	assert_line --partial 'usage: rstream-cat [OPTIONS] STREAM [FILE...]'
	assert_line --partial '--create'
}

@test "rstream-tail --help prints usage on stdout and exits 0" {
	run -0 rstream-tail --help
	assert_line --partial 'usage: rstream-tail [OPTIONS] STREAM'
	assert_line --partial '--follow'
}

@test "-V prints the version of each tool, the libraries linked and the codecs" {
	for tool in rstream-cat rstream-tail; do
		for opt in -V --version; do
			run -0 "$tool" "$opt"
			assert_line --index 0 --regexp "^$tool [0-9]+\.[0-9]+\.[0-9]+\$"
			assert_line --index 1 --regexp '^Libraries: libev/[0-9]+\.[0-9]+ zlib/[0-9.]+ OpenSSL/[0-9]+\.[0-9]+\.[0-9]+[a-z]* jansson/[0-9.]+ libdeflate/[0-9.]+( snappy)?( lz4/[0-9.]+)?( zstd/[0-9.]+)?$'
			assert_line --index 2 --regexp '^Compression: gzip( snappy)?( lz4)?( zstd)?$'
			[ "${#lines[@]}" -eq 3 ] || fail "$tool $opt: ${#lines[@]} lines"
		done
	done
}

@test "a missing STREAM is a usage error (exit 2)" {
	run -2 rstream-cat
	assert_output --partial 'missing STREAM'
	run -2 rstream-tail
	assert_output --partial 'missing STREAM'
}

@test "an unknown option is a usage error (exit 2)" {
	run -2 rstream-cat --bogus s
	assert_output --partial "Try 'rstream-cat --help'"
	run -2 rstream-tail -Z s
	assert_output --partial "Try 'rstream-tail --help'"
}

@test "bad option values name the option and the value" {
	run -2 rstream-tail -o sideways s
	assert_output --partial '--offset'
	assert_output --partial 'sideways'
	run -2 rstream-tail -n -3 s
	assert_output --partial '--lines'
	run -2 rstream-tail -c 0 s
	assert_output --partial '--count'
	run -2 rstream-cat --create --max-age 3x s
	assert_output --partial '--max-age: bad duration: 3x'
	run -2 rstream-cat --create --max-length-bytes 1zb s
	assert_output --partial '--max-length-bytes: bad size: 1zb'
}

@test "retention options without --create are refused" {
	run -2 rstream-cat --max-age 7d s
	assert_output --partial 'need --create'
}

@test "-o and -n cannot be combined" {
	run -2 rstream-tail -o first -n 3 s
	assert_output --partial 'cannot be combined'
}

@test "a bad URI is a usage error naming where it came from" {
	run -2 rstream-tail -u http://localhost/ s
	assert_output --partial 'rstream-tail: --uri: URI must start with rabbitmq-stream://'
	RSTREAM_URI='rabbitmq-stream://h:99999/' run -2 rstream-cat s
	assert_output --partial 'RSTREAM_URI: bad port'
	run -2 rstream-cat -u 'rabbitmq-stream://localhost/' --cacert /dev/null s
	assert_output --partial 'need a rabbitmq-stream+tls:// URI'
	run -2 rstream-tail -u 'rabbitmq-stream+tls://localhost/' --key k s
	assert_output --partial '--key needs --cert'
	run -2 rstream-tail -u 'rabbitmq-stream+tls://localhost/' --sasl-mechanism GSSAPI s
	assert_output --partial '--sasl-mechanism: expected PLAIN or EXTERNAL: GSSAPI'
	run -2 rstream-tail -u 'rabbitmq-stream+tls://localhost/' --sasl-mechanism external s
	assert_output --partial 'EXTERNAL needs a client certificate'
}

@test "a URI with a password is not echoed in errors" {
	run -2 rstream-tail -u 'rabbitmq-stream://u:s3cret@h:0/' s
	refute_output --partial 's3cret'
}

@test "a missing input file exits 66 naming it, before connecting" {
	# Port 1 on localhost refuses connections: had it connected first, the exit would be 69.
	run -66 rstream-cat -u rabbitmq-stream://localhost:1/ s /nonexistent/input.log
	assert_output --partial 'rstream-cat: s: /nonexistent/input.log: No such file or directory'
}

@test "an unreachable broker exits 69 with the address" {
	run -69 rstream-tail -u rabbitmq-stream://localhost:1/ s
	assert_output --partial 'cannot connect to localhost:1'
}

# shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
@test "a two-word option with another word names both words (exit 2)" {
	run -2 --separate-stderr rstream-cat --oversize drop s
	assert_equal "${stderr_lines[0]}" "rstream-cat: --oversize: expected fail or skip: drop"
	run -2 --separate-stderr rstream-cat --super-stream -K : --routing rr s
	assert_equal "${stderr_lines[0]}" "rstream-cat: --routing: expected hash or key: rr"
	run -2 --separate-stderr rstream-tail --on-error retry s -- true
	assert_equal "${stderr_lines[0]}" "rstream-tail: --on-error: expected stop or skip: retry"
}

# shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
@test "each number option refuses the value past its bound, naming the option, the range and the value (exit 2)" {
	# tool, option, value: the message (opts.c checks them from tables).
	while IFS='|' read -r tool opt value msg; do
		run -2 --separate-stderr "rstream-$tool" "$opt" "$value" s </dev/null
		assert_equal "${stderr_lines[0]}" "rstream-$tool: $opt: $msg: $value"
		assert_equal "${stderr_lines[1]}" "Try 'rstream-$tool --help' for more information."
	done <<-'CASES'
	cat|--count|0|bad number
	cat|--max-in-flight|40001|expected 1 to 40000
	cat|--max-in-flight|0|expected 1 to 40000
	cat|--sub-entry-size|65536|expected 1 to 65535
	cat|--sub-entry-size|0|expected 1 to 65535
	cat|--initial-cluster-size|256|expected 1 to 255
	cat|--initial-cluster-size|0|expected 1 to 255
	cat|--partitions|1001|expected 1 to 1000
	cat|--partitions|0|expected 1 to 1000
	cat|--linger|5y|bad duration
	cat|--confirm-timeout|0|bad duration
	cat|--max-length-bytes|0|bad size
	cat|--max-age|0|bad duration
	cat|--max-segment-size|0|bad size
	cat|--heartbeat|3601|expected 1s to 1h
	cat|--timeout|0|bad duration
	tail|--count|0|bad number
	tail|--lines|9223372036854775808|bad number
	tail|--store-every|0|bad number
	tail|--max-lag|x|bad number
	tail|--max-idle|x|bad duration
	tail|--max-idle|18446744073709552|bad duration
	tail|--heartbeat|0|expected 1s to 1h
	tail|--retry-for|x|bad duration
	CASES
	# The bounds themselves are taken: --dry-run does not connect, and
	# port 1 refuses, so a value taken ends in 69, not in a usage error.
	run -0 rstream-cat --dry-run --max-in-flight 40000 --sub-entry-size 65535 \
	    --linger 0 --heartbeat 1h s </dev/null
	run -69 rstream-tail -u rabbitmq-stream://localhost:1/ --retry-for 0 \
	    --lines 9223372036854775807 --store-every 1 --heartbeat 1 s
}

@test "--framing names each tool's own fourth kind" {
	run -2 rstream-tail --framing=whole s
	assert_output --partial 'rstream-tail: --framing: expected lines, null, be32 or raw: whole'
	run -2 rstream-cat --framing=raw s
	assert_output --partial 'rstream-cat: --framing: expected lines, null, be32 or whole: raw'
}

# shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
@test "the options both tools share refuse bad values the same way, naming the option (exit 2)" {
	long=$(printf 'n%.0s' $(seq 257))
	for tool in rstream-cat rstream-tail; do
		run -2 --separate-stderr "$tool" -N '' s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --name: must be 1 to 256 bytes: "
		run -2 --separate-stderr "$tool" -N "$long" s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --name: must be 1 to 256 bytes: $long"
		run -2 --separate-stderr "$tool" --tls-server-name '' s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --tls-server-name: empty"
		run -2 --separate-stderr "$tool" -D '\q' s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --delimiter: empty, or a bad escape: \q"
		run -2 --separate-stderr "$tool" '' </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: STREAM is empty"
		run -2 --separate-stderr "$tool" --load-balancer --no-locate s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --load-balancer and --no-locate: choose one"
		uris=()
		for i in $(seq 65); do
			uris+=(-u "rabbitmq-stream://h$i")
		done
		run -2 --separate-stderr "$tool" "${uris[@]}" s </dev/null
		assert_equal "${stderr_lines[0]}" "$tool: --uri: too many: rabbitmq-stream://h65"
	done
	run -2 --separate-stderr rstream-cat --super-stream -K '\q' s </dev/null
	assert_equal "${stderr_lines[0]}" "rstream-cat: --key-delimiter: empty, or a bad escape: \q"
	# --info takes -N again and again, up to its bound; the other runs once.
	names=()
	for i in $(seq 257); do
		names+=(-N "n$i")
	done
	run -2 --separate-stderr rstream-tail --info "${names[@]}" s
	assert_equal "${stderr_lines[0]}" "rstream-tail: --name: too many: n257"
	run -2 --separate-stderr rstream-tail -N a -N b s
	assert_equal "${stderr_lines[0]}" "rstream-tail: --name can be given once (but repeated with --info)"
}

@test "--load-balancer is taken by both tools (its cluster test: tests/cluster/lb.bats)" {
	# Port 1 refuses: a taken option ends in 69, not in a usage error.
	run -69 rstream-tail --load-balancer -u rabbitmq-stream://localhost:1/ --retry-for 0 s
	run -69 rstream-cat --load-balancer -u rabbitmq-stream://localhost:1/ --retry-for 0 s </dev/null
}
