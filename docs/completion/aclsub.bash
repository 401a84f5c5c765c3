# aclsub.bash - bash completion of the aclsub command.  `make install` puts
# it in PREFIX/share/bash-completion/completions/aclsub, where
# bash-completion loads it on demand; without that, `. aclsub.bash`.
#
# Commands come from `aclsub --help` and each command's options from
# `aclsub CMD --help`, so the completion follows the installed aclsub.
# Values are completed for decode's view word, --format, --by, --order and --align,
# run's and doctor's PROGRAM (a command), and files everywhere else.

# _aclsub_words CMD - the long options `aclsub CMD --help` lists ("" CMD: the commands).
_aclsub_words() {
    local exe=$1 cmd=$2
    if [ -z "$cmd" ]; then
        "$exe" --help 2>/dev/null | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'
        echo help
    else
        # the option lines only ("  -f, --format FMT", "      --from T", "  --model FILE")
        "$exe" "$cmd" --help 2>/dev/null | sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z_-]*\).*/\2/p' | sort -u
    fi
}

# _aclsub_values CMD OPTION - the values an option takes; nothing when it takes a file or a number.
_aclsub_values() {
    case "$1 $2" in
    "decode --format" | "decode -f") echo "tsv table csv jsonl chrome" ;;
    "decode --by" | "decode -b") echo "type name model" ;;
    "decode --order") echo "input time" ;;
    "decode --align") echo "auto realtime none" ;;
    "decode --fields") echo "help" ;;
    "decode --clock") echo "monotonic realtime" ;;
    "inspect --format" | "doctor --format" | "inspect -f" | "doctor -f") echo "text json" ;;
    "atc --framework") echo "5" ;;
    esac
}

_aclsub() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local exe=${COMP_WORDS[0]} cmd="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$(_aclsub_words "$exe" "") --help --version" -- "$cur"))
        return
    fi
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$(_aclsub_words "$exe" "")" -- "$cur"))
        return
    fi
    # After `--` (run, doctor): the program and its own arguments.
    for ((i = i + 1; i < COMP_CWORD; i++)); do
        if [ "${COMP_WORDS[i]}" = "--" ]; then
            COMPREPLY=($(compgen -c -- "$cur"; compgen -f -- "$cur"))
            return
        fi
    done
    local values
    values=$(_aclsub_values "$cmd" "$prev")
    if [ -n "$values" ]; then
        COMPREPLY=($(compgen -W "$values" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_aclsub_words "$exe" "$cmd")" -- "$cur"))
        return
    fi
    if [ "$cmd" = decode ] && [ "$prev" = decode ]; then
        COMPREPLY=($(compgen -W "list summary diff" -- "$cur"; compgen -f -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _aclsub aclsub
