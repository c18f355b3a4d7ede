#!/usr/bin/env bats
# Lint of everything in the tree that is not C: every shell script (tests,
# contrib, bench, .ci) is clean under shellcheck, at every severity; the man
# pages under mandoc -Tlint, at every level; the zsh and fish completions
# parse. The systemd units have their own checks (systemd.bats). Missing
# linters fail the test: they are in contrib/deps.sh.

load helper

SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# The shell scripts of the tree, one a line, found afresh each run: by name
# (.sh, .bash, .bats), by a sh, bash or bats "#!" line, and the bash
# completions (no "#!": bash sources them).
shell_scripts() {
	local f first
	find "$SRCDIR/tests" "$SRCDIR/contrib" "$SRCDIR/bench" "$SRCDIR/.ci" \
	    -type f ! -name '*.o' ! -name '*.log' ! -name '*.trs' | sort |
	while IFS= read -r f; do
		case $f in
		*.sh | *.bash | *.bats) echo "$f"; continue ;;
		*/contrib/completions/_* | *.fish) continue ;;
		*/contrib/completions/*) echo "$f"; continue ;;
		esac
		IFS= read -r first <"$f" 2>/dev/null || continue
		case $first in
		'#!'*[/\ ]sh | '#!'*[/\ ]sh\ * | '#!'*bash* | '#!'*bats*) echo "$f" ;;
		esac
	done
}

@test "shellcheck is installed (contrib/deps.sh)" {
	command -v shellcheck || fail "shellcheck is missing: run contrib/deps.sh"
}

@test "the scripts the lint looks at include each kind" {
	run -0 shell_scripts
	for f in .ci/run contrib/deps.sh tests/check.sh tests/broker.sh \
	    tests/bats/helper.bash tests/bats/lint.bats bench/run.sh \
	    contrib/completions/rstream-cat contrib/cron/rstream-ship-log; do
		assert_line "$SRCDIR/$f"
	done
	refute_line --partial _rstream-cat
}

# Each file is checked from the top of the tree, following what it sources
# (-x: a "# shellcheck source=" path is from there, -P SCRIPTDIR: bats
# "load" and "source" beside the script). In .bats
# files three checks are off: SC2016 (the scripts given to "sh -c" and
# "bash -c" are single-quoted on purpose), SC2030 and SC2031 (bats runs
# each @test in a subshell: what a test sets is meant to stay in it).
@test "every shell script is clean under shellcheck" {
	command -v shellcheck || fail "shellcheck is missing: run contrib/deps.sh"
	local f bad='' out opts
	while IFS= read -r f; do
		opts=(-x -P SCRIPTDIR)
		case $f in
		*.bats) opts+=(-e 'SC2016,SC2030,SC2031') ;;
		*/contrib/completions/*) opts+=(-s bash) ;;
		esac
		if ! out=$(cd "$SRCDIR" && shellcheck "${opts[@]}" -f gcc "${f#"$SRCDIR"/}" 2>&1); then
			bad+=$'\n'"$out"
		fi
	done < <(shell_scripts)
	[ -z "$bad" ] || fail "shellcheck: $bad"
}

# docs.bats runs mandoc -Tlint -Wwarning; this is every level, STYLE too,
# but for cross references to pages this machine does not have (kcat(1),
# rabbitmq-streams(8)): what is installed is no property of the page.
@test "the man pages are clean under mandoc -Tlint at every level" {
	local left
	run mandoc -Tlint "$SRCDIR/man/rstream-cat.1" "$SRCDIR/man/rstream-tail.1"
	left=$(grep -v -e 'referenced manual not found' -e 'mandoc\.db' <<<"$output" || :)
	[ -z "$left" ] || fail "$left"
}

@test "the zsh and fish completions parse" {
	for f in "$SRCDIR"/contrib/completions/_*; do
		run -0 zsh -n "$f"
	done
	for f in "$SRCDIR"/contrib/completions/*.fish; do
		run -0 fish --no-execute "$f"
	done
}
