#!/usr/bin/env bats
# The AMQP 1.0 codec against an independent one, python3-qpid-proton: proton
# encodes, ours decodes to the same values; ours encodes, proton decodes.
# No broker. See tests/python/amqp_proton.py and tests/unit/amqp-tool.c.

load helper

setup() {
	TOOL="$BUILDDIR/tests/unit/amqp-tool"
}

@test "python3-qpid-proton and amqp-tool are there (contrib/deps.sh, make check)" {
	run -0 "$PY" -c 'import proton'
	[ -x "$TOOL" ]
}

@test "messages proton encodes decode to the same sections and values" {
	run -0 "$PY" "$PYDIR/amqp_proton.py" "$TOOL" decode
	assert_line --regexp '^decode: [0-9]+ messages \([0-9]+ AMQP, [0-9]+ not AMQP\), 25 types$'
	refute_output --partial differs
	# A run that checked nothing (or little) must not pass.
	[[ $output =~ decode:\ ([0-9]+)\ messages\ \(([0-9]+)\ AMQP,\ ([0-9]+)\ not ]]
	[ "${BASH_REMATCH[1]}" -ge 150 ]
	[ "${BASH_REMATCH[2]}" -ge 140 ]
	[ "${BASH_REMATCH[3]}" -ge 10 ]
}

@test "messages we encode decode in proton to the values meant" {
	run -0 "$PY" "$PYDIR/amqp_proton.py" "$TOOL" encode
	assert_line 'encode: 16 messages'
	refute_output --partial differs
}
