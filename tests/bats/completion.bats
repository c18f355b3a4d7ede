#!/usr/bin/env bats
# The bash, zsh and fish completions offer every option that --help lists,
# short and long. The list comes from the programs' --help at test time, so a
# new option fails here until every completion has it. Each completion is
# loaded by its own shell, not grepped: bash and fish are asked to complete
# "TOOL -" as they would at a prompt; zsh (which completes only inside its
# line editor) runs the completion function with _arguments replaced by a
# function that prints the option specs it was given.

load helper

COMPDIR="$BATS_TEST_DIRNAME/../../contrib/completions"

# The options in the option column of TOOL --help, one a line: "-u" and
# "--uri" from "  -u, --uri URI", "--framing" from "      --framing=KIND".
help_options() {
	"$1" --help |
	    grep -oE '^ {2,}(-[[:alnum:]](, --[[:alnum:]][[:alnum:]-]*)?|--[[:alnum:]][[:alnum:]-]*)' |
	    sed 's/^ *//; s/, /\n/' | sort -u
}

# What bash completes for "TOOL -", without bash-completion's helpers.
bash_options() {
	bash --norc --noprofile -c '
		. "$1"
		COMP_WORDS=("$2" -) COMP_CWORD=1 COMP_LINE="$2 -" COMP_POINT=${#COMP_LINE}
		"$3"
		printf "%s\n" "${COMPREPLY[@]}"' \
	    bash "$COMPDIR/$1" "$1" "_${1//-/_}" | sort -u
}

# The options zsh's _arguments is given by the completion function.
zsh_options() {
	zsh -f -c '
		fpath=("$1" $fpath)
		_arguments() { print -rl -- "$@" }
		autoload -Uz "_$2"
		"_$2"' zsh "$COMPDIR" "$1" |
	    sed '1,/^:$/d' | sed -E 's/^\([^)]*\)//; s/^\*//' |
	    grep -oE '^--?[[:alnum:]][[:alnum:]-]*' | sed -E 's/^(-[[:alnum:]]).*/\1/; t; s/-$//' |
	    sort -u
}

# What fish completes for "TOOL -" and "TOOL --".
fish_options() {
	fish --no-config -c 'source $argv[1]; complete -C"$argv[2] -"; complete -C"$argv[2] --"' \
	    "$COMPDIR/$1.fish" "$1" | cut -f1 | sort -u
}

# Fail naming each option of TOOL --help that LIST (one a line) lacks.
check() {
	local tool=$1 shell=$2 list=$3 missing
	missing=$(comm -23 <(help_options "$tool") <(printf '%s\n' "$list"))
	[ -z "$missing" ] ||
	    fail "$tool: the $shell completion lacks: ${missing//$'\n'/ }"
}

@test "--help lists the options the checks below look for" {
	for tool in rstream-cat rstream-tail; do
		run -0 help_options "$tool"
		assert_line -- -u
		assert_line -- --uri
		assert_line -- --framing
		assert_line -- --password-file
		[ "${#lines[@]}" -ge 30 ] || fail "$tool: only ${#lines[@]} options found in --help"
	done
}

@test "the bash completions offer every option of --help" {
	for tool in rstream-cat rstream-tail; do
		run -0 bash_options "$tool"
		[ "${#lines[@]}" -ge 30 ] || fail "$tool: bash offers only: $output"
		check "$tool" bash "$output"
	done
}

@test "the zsh completions offer every option of --help" {
	for tool in rstream-cat rstream-tail; do
		run -0 zsh_options "$tool"
		[ "${#lines[@]}" -ge 30 ] || fail "$tool: zsh was given only: $output"
		check "$tool" zsh "$output"
	done
}

@test "the fish completions offer every option of --help" {
	for tool in rstream-cat rstream-tail; do
		run -0 fish_options "$tool"
		[ "${#lines[@]}" -ge 30 ] || fail "$tool: fish offers only: $output"
		check "$tool" fish "$output"
	done
}

@test "a completion that lacks an option is caught" {
	run -0 help_options rstream-cat
	all=$output
	run check rstream-cat test "$(grep -vx -- --resume <<<"$all")"
	assert_failure
	assert_output --partial 'the test completion lacks: --resume'
}

@test "the zsh completions complete after -- as a command line (rstream-tail)" {
	run -0 zsh -f -c '
		fpath=("$1" $fpath)
		_arguments() { state=command; return 1 }
		_normal() { print -r -- "normal CURRENT=$CURRENT words=$words" }
		compadd() { print -r -- "compadd $*" }
		autoload -Uz _rstream-tail
		words=(logs "") CURRENT=2 _rstream-tail
		words=(logs -- ls -) CURRENT=4 _rstream-tail' zsh "$COMPDIR"
	assert_line 'compadd -- --'
	assert_line 'normal CURRENT=2 words=ls -'
}
