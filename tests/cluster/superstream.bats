#!/usr/bin/env bats
# rstream-cat --super-stream on a 3-node cluster: the partitions' leaders on
# three nodes (--leader-locator balanced, passed through CreateSuperStream),
# and each partition's publisher connected to its own partition's leader,
# whatever node the run was pointed at; every record once, in its partition.
# On a cluster older than 3.11: the refusal (69).

load helper

setup() {
	need_cluster
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	if [ "${RSTREAM_BROKER_VERSION%%.*}" -ge 4 ] 2>/dev/null; then
		rstream-cat -u "$(uri 1)" --super-stream --delete "$S" >/dev/null 2>&1 || true
	fi
}

# Is the cluster older than 3.11?
old_cluster() {
	[ -n "${RSTREAM_BROKER_VERSION:-}" ] || fail "the cluster's version is unknown"
	[ "$(printf '%s\n3.11.0\n' "$RSTREAM_BROKER_VERSION" | sort -V | head -1)" != 3.11.0 ]
}

@test "each partition's publisher is on its partition's leader; every record once" {
	if old_cluster; then
		run -69 rstream-cat -u "$(uri 1)" --super-stream -K : "$S" </dev/null
		assert_output "rstream-cat: $S: super streams need RabbitMQ 3.11 or later; the broker is $RSTREAM_BROKER_VERSION"
		return
	fi
	for i in $(seq 1 300); do printf 'k%d:%d\n' $((i % 30)) "$i"; done > "$T/in"
	run -0 timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 2)" -v --super-stream --create \
		--partitions 3 --leader-locator balanced -K : -N pub --resume "$S" "$T/in"
	leaders=
	for p in 0 1 2; do
		lead=$(stream_leader "$S-$p")
		leaders="$leaders $lead"
		# The last node this partition's publisher connected to.
		port=$(grep "^rstream-cat: $S-$p: connected to " <<<"$output" | tail -1 |
			sed 's/.*connected to [^:]*:\([0-9]*\).*/\1/')
		echo "# $S-$p: leader node $lead, publisher on node $(port_index "$port")" >&3
		assert_equal "$(port_index "$port")" "$lead"
	done
	assert_equal "$(tr ' ' '\n' <<<"$leaders" | sort -u | grep -c .)" 3
	for p in 0 1 2; do
		timeout "$TOOL_TIMEOUT" rstream-tail -u "$(uri 3)" -o first "$S-$p"
	done | sort -n > "$T/out"
	check_seq "three partitions read via node 3" "$T/out" 300
	# A re-run adds nothing.
	run -0 timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 3)" --super-stream -K : -N pub --resume --stats "$S" "$T/in"
	refute_output --regexp ' [1-9][0-9]* confirmed'
}
