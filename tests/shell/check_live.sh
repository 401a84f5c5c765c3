#!/bin/sh
# check_live.sh BUILD - `aclsub run --live` keeps its own area of the
# terminal while the program writes to the same terminal: in a tmux pane of
# 100 x 30, a program that prints a line every 20 ms (and executes a model
# every tenth line) runs for about 4 s under `aclsub run --live`; the pane is
# captured 40 times, every 100 ms, and the live display's title line and
# column titles must be on screen in at least 36 of the captures (before,
# the program's lines scrolled the display away: 4 of 40).  Afterwards the
# final summary is on screen and the program's last line above it.
SUBJECT=live
. tests/shell/lib.sh
require_built "$ACLSUB" "$APP" "$MLP"
if ! command -v tmux >/dev/null 2>&1; then
    say_fail "tmux is missing (./install-deps.sh installs it)"
    end_checks
fi
cat >"$T/chatty.sh" <<'EOS'
#!/bin/sh
i=0
while [ $i -lt 200 ]; do
    echo "program line $i"
    if [ $((i % 10)) -eq 0 ]; then "$1" "$2" 1 >/dev/null; fi
    i=$((i + 1))
    sleep 0.02
done
EOS
chmod +x "$T/chatty.sh"
SOCK=$T/tmux.sock
pre=
[ -n "$ASAN_LIB" ] && pre="ASAN_OPTIONS=detect_leaks=0"
tmux -S "$SOCK" new-session -d -s live -x 100 -y 30 \
    "cd '$ROOT' && env $pre '$ACLSUB' run --live -- '$T/chatty.sh' '$APP' '$MLP'; echo '<end>'; sleep 30"
seen=0
n=0
while [ $n -lt 40 ]; do
    sleep 0.1
    tmux -S "$SOCK" capture-pane -p -t live >"$T/cap" 2>/dev/null || break
    grep -q '^aclsub decode --follow' "$T/cap" && grep -q '^OP Type .*Busy%' "$T/cap" && seen=$((seen + 1))
    n=$((n + 1))
done
i=0
while [ $i -lt 100 ] && ! tmux -S "$SOCK" capture-pane -p -t live | grep -q '<end>'; do
    sleep 0.1
    i=$((i + 1))
done
tmux -S "$SOCK" capture-pane -p -t live >"$T/final"
tmux -S "$SOCK" kill-server 2>/dev/null
if [ "$seen" -ge 36 ]; then
    say_ok "the live display stays on screen while the program writes: $seen of 40 captures"
else
    say_fail "the live display was on screen in $seen of 40 captures (want at least 36)"
    show "$T/cap"
fi
if grep -q '^operators: [1-9]' "$T/final" && grep -q 'program line 199' "$T/final"; then
    say_ok "at the end: the program's last line, then the final summary"
else
    say_fail "the screen at the end:"
    show "$T/final" 30
fi
end_checks
