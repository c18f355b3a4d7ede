#!/usr/bin/env bats
# The tools on a 3-node cluster (tests/cluster.sh): placement of publishers
# and readers, reads through every node, and a crash of a stream's leader.
# Every test checks exactly-once and order by content (`seq 1 N` lines) and
# logs the counts (expected/found/duplicated/missing) on fd 3.

load helper

setup() {
	need_cluster
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	bg_cleanup
	ensure_all_up
	drop_stream "$S"
}

@test "publishing through a non-leader node: the publisher is on the leader, every line once, in order" {
	create_stream "$S" 1
	publish_via "$(uri 2)" "$S" 1 2000
	echo "# publisher via node 2: its connection is on node $PUB_NODE (leader 1)" >&3
	assert_equal "$PUB_NODE" 1
	tail_all "$(uri 3)" "$S" "$T/out"
	check_seq "read via node 3" "$T/out" 2000
	# And again through the third node, appending.
	publish_via "$(uri 3)" "$S" 2001 3000
	echo "# publisher via node 3: its connection is on node $PUB_NODE (leader 1)" >&3
	assert_equal "$PUB_NODE" 1
	tail_all "$(uri 2)" "$S" "$T/out"
	check_seq "read via node 2" "$T/out" 3000
}

@test "rstream-tail through each node's URI prints the same records" {
	create_stream "$S" 2
	seq 1 5000 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	for i in 1 2 3; do
		tail_all "$(uri "$i")" "$S" "$T/out$i"
		check_seq "read via node $i" "$T/out$i" 5000
	done
	cmp "$T/out1" "$T/out2"
	cmp "$T/out1" "$T/out3"
}

@test "rstream-tail reads from the replica it is pointed at; pointed at the leader, from a replica" {
	create_stream "$S" 3
	seq 1 300 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 3)" "$S"
	for i in 1 2 3; do
		follow_via "$(uri "$i")" "$S" 300
		echo "# rstream-tail via node $i reads on node $TAIL_NODE (leader 3)" >&3
		check_seq "follow via node $i" "$TAIL_OUT" 300
		if [ "$i" = 3 ]; then
			assert [ "$TAIL_NODE" = 1 -o "$TAIL_NODE" = 2 ]
		else
			assert_equal "$TAIL_NODE" "$i"
		fi
	done
}

@test "a stream on node 1 only, read through node 2: rstream-tail goes to the leader" {
	create_stream "$S" 1 1
	assert_equal "$(stream_members "$S")" 1
	seq 1 1000 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	tail_all "$(uri 2)" "$S" "$T/out"
	check_seq "read via node 2" "$T/out" 1000
	follow_via "$(uri 2)" "$S" 1000
	echo "# rstream-tail via node 2 reads on node $TAIL_NODE (the only member: 1)" >&3
	assert_equal "$TAIL_NODE" 1
	check_seq "follow via node 2" "$TAIL_OUT" 1000
	# Publishing through a node without a member also reaches the leader.
	publish_via "$(uri 3)" "$S" 1001 2000
	echo "# publisher via node 3: its connection is on node $PUB_NODE (leader 1)" >&3
	assert_equal "$PUB_NODE" 1
	tail_all "$(uri 3)" "$S" "$T/out"
	check_seq "read via node 3" "$T/out" 2000
}

@test "kill -9 of the leader node: replicas serve reads, rstream-cat reaches the new leader, the node rejoins" {
	create_stream "$S" 1
	seq 1 2000 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	kill_node 1
	echo "# killed node 1 (beam.smp -9)" >&3

	# Reads through each survivor, once a new leader is in place.
	for i in 2 3; do
		retry "$CLUSTER_WAIT" tail_count "$(uri "$i")" "$S" "$T/out$i" 2000 ||
			cat "$T/out$i.err" >&2
		check_seq "read via node $i after the kill ($RETRY_TRIES tries)" "$T/out$i" 2000
	done

	# A seed list whose first node is the dead one.
	timeout "$TOOL_TIMEOUT" rstream-tail -u "$(uri 1),$(uri 3)" -o first "$S" >"$T/seeds"
	check_seq "read via seeds node 1 (dead), node 3" "$T/seeds" 2000

	# A new leader among the survivors; publish through the other survivor.
	retry "$CLUSTER_WAIT" yields_one_of "2 3" stream_leader "$S"
	lead=$(stream_leader "$S")
	other=$((lead == 2 ? 3 : 2))
	echo "# new leader: node $lead; online: $(stream_online "$S")" >&3
	publish_via "$(uri "$other")" "$S" 2001 3000
	echo "# publisher via node $other: its connection is on node $PUB_NODE (leader $lead)" >&3
	assert_equal "$PUB_NODE" "$lead"
	tail_all "$(uri "$lead")" "$S" "$T/out"
	check_seq "read via node $lead after publishing" "$T/out" 3000

	# The killed node comes back, rejoins the cluster and the stream, and
	# its replica catches up.
	restart_node 1
	retry "$CLUSTER_WAIT" yields "1 2 3" running_nodes
	retry "$CLUSTER_WAIT" yields "1 2 3" stream_online "$S"
	echo "# node 1 restarted: running $(running_nodes); $S leader|members|online = $(stream_placement "$S")" >&3
	retry "$CLUSTER_WAIT" tail_count "$(uri 1)" "$S" "$T/out1" 3000 || cat "$T/out1.err" >&2
	check_seq "read via node 1 after its restart ($RETRY_TRIES tries)" "$T/out1" 3000
}
