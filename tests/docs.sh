#!/bin/sh
# The documentation against the program: every long flag of --help-all is an
# entry of rtmpscope(1) (and every entry a flag), every group and key of the
# config file is in rtmpscope.conf(5) with its default, both pages pass
# mandoc's lint, and rtmpscope(1) has the sections a manual needs.  TAP.
. "${SRCDIR:-$(dirname "$0")/..}/tests/tap.sh"
. "$SRCDIR/tests/peers.sh"
man1=$SRCDIR/man/rtmpscope.1
man5=$SRCDIR/man/rtmpscope.conf.5
# The shipped sample is config_write_defaults()'s output (tests/test-config
# holds them together): every group, every key, every default.
sample=$SRCDIR/samples/rtmpscope.conf
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$RTMPSCOPE" --help-all >"$tmp/help" 2>&1 ||
    { echo "Bail out! $RTMPSCOPE --help-all failed"; exit 1; }
sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z0-9-]*\).*/\2/p' "$tmp/help" |
    sort -u >"$tmp/flags"

# The flags that are entries of the option lists: ".It Fl -name ..." or
# ".It Fl x Ar a , Fl -name ...".
sed -n 's/^\.It .*Fl -\([a-z][a-z0-9-]*\).*/\1/p' "$man1" | sort -u >"$tmp/entries"

tap_check "--help-all lists some long flags" test -s "$tmp/flags"
while read -r flag; do
	tap_check "--$flag is an entry of rtmpscope(1)" \
	    grep -qx "$flag" "$tmp/entries"
done <"$tmp/flags"
while read -r flag; do
	tap_check "rtmpscope(1)'s --$flag is a flag of rtmpscope" \
	    grep -qx "$flag" "$tmp/flags"
done <"$tmp/entries"

for section in EXAMPLES "EXIT STATUS" FILES ENVIRONMENT "SEE ALSO"; do
	tap_check "rtmpscope(1) has the section $section" \
	    grep -qx ".Sh $section" "$man1"
done

# The text of key KEY's entry in the section of group GROUP, from its
# ".It Cm KEY No =" to the next key's entry or section.
key_entry() {
	awk -v sec=".Ss The [$1] group" -v key="$2" '
	/^\.S[hs] / { insec = index($0, sec) == 1; initem = 0; next }
	insec && /^\.It Cm [^ ]+ No =/ { initem = $3 == key }
	insec && initem { print }' "$man5"
}

# "#key = default" lines are keys at their defaults; "# key = value" lines
# are the example [backend NAME] group's, whose values are examples.
awk '
/^\[[^]]*\]$/ { group = substr($0, 2, length($0) - 2); next }
/^# \[backend [^]]*\]$/ { group = "backend NAME"; next }
/^#[a-z][a-z_-]* =/ {
	key = substr($1, 2); def = $0; sub(/^[^=]*= ?/, "", def)
	printf "%s\t%s\t%s\n", group, key, def; next
}
/^# [a-z][a-z_-]* = / { printf "%s\t%s\t\n", group, $2 }' "$sample" >"$tmp/keys"
cut -f1 "$tmp/keys" | uniq >"$tmp/groups"

tap_check "the sample config has keys" test -s "$tmp/keys"
while IFS= read -r group; do
	tap_check "rtmpscope.conf(5) describes the [$group] group" \
	    grep -qF ".Ss The [$group] group" "$man5"
done <"$tmp/groups"
tab=$(printf '\t')
while IFS="$tab" read -r group key def; do
	key_entry "$group" "$key" >"$tmp/entry"
	if ! [ -s "$tmp/entry" ]; then
		tap_not_ok "rtmpscope.conf(5) describes [$group] $key"
		continue
	fi
	case $group in
	"backend NAME")
		# The example group's values are not defaults.
		tap_ok "rtmpscope.conf(5) describes [$group] $key"
		;;
	*)
		# An empty default is written "Empty, the default: ...".
		if [ -z "$def" ]; then
			set -- grep -qi 'empty' "$tmp/entry"
		else
			set -- grep -qwF -- "$def" "$tmp/entry"
		fi
		if grep -qi 'default' "$tmp/entry" && "$@"; then
			tap_ok "rtmpscope.conf(5) describes [$group] $key and its default ${def:-(empty)}"
		else
			tap_not_ok "rtmpscope.conf(5) describes [$group] $key and its default ${def:-(empty)}"
		fi
		;;
	esac
done <"$tmp/keys"

# Every long flag is a key of the same name (ARCHITECTURE.md), but the
# file's own (--config), --version, and --backend, whose key is a whole
# [backend NAME] group.
cut -f2 "$tmp/keys" | sort -u >"$tmp/keynames"
while read -r flag; do
	case $flag in
	config|version|backend|help*) continue ;;
	esac
	tap_check "--$flag is a key of the config file" \
	    grep -qx -- "$flag" "$tmp/keynames"
done <"$tmp/flags"

for page in "$man1" "$man5"; do
	name=$(basename "$page")
	if command -v mandoc >/dev/null; then
		mandoc -Tlint -W warning "$page" >"$tmp/lint" 2>&1
		status=$?
		if [ "$status" -eq 0 ] && ! [ -s "$tmp/lint" ]; then
			tap_ok "mandoc -Tlint -W warning: $name is clean"
		else
			tap_diag "$(cat "$tmp/lint")"
			tap_not_ok "mandoc -Tlint -W warning: $name is clean"
		fi
	else
		tap_skip "mandoc -Tlint -W warning: $name is clean" \
		    "mandoc is not installed (apt-get install mandoc)"
	fi
done

# The bash completion: what it offers for words typed so far, with the
# flags read from this rtmpscope's --help-all.
completion=$SRCDIR/samples/rtmpscope.bash-completion
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@")
	    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rtmpscope
	    printf "%s\n" "${COMPREPLY[@]}"' sh "$completion" "$RTMPSCOPE" "$@" |
	    sort | tr '\n' ' ' | sed 's/ $//'
}
# expect_completion WANT WORD...: the completions of the last word.
expect_completion() {
	want=$1
	shift
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		tap_ok "bash completion: rtmpscope $* -> $want"
	else
		tap_diag "got: $got"
		tap_not_ok "bash completion: rtmpscope $* -> $want"
	fi
}
if command -v bash >/dev/null; then
	expect_completion "--dump" --dum
	expect_completion "--dump --duration" --du
	expect_completion "json" --dump = j
	expect_completion "--report=json" --report=j
	expect_completion "bad none warn" --fail-on ""
	expect_completion "lo" -i l
	expect_completion "$SRCDIR/samples/stall.pcap" -r "$SRCDIR/samples/st"
	expect_completion "$SRCDIR/samples/rtmpscope.conf" --config "$SRCDIR/samples/rtmpscope.c"
	expect_completion "" -p ""
	expect_completion "stall:5s,no-ping-reply" --fault stall:5s,no
	# Every flag of --help-all, and only those.
	complete_words -- >"$tmp/offered"
	tr '\n' ' ' <"$tmp/flags" | sed 's/\([a-z0-9-]*\) /--\1\n/g' | sort |
	    tr '\n' ' ' | sed 's/ $//' >"$tmp/wanted"
	tap_check "bash completion: rtmpscope -- offers every flag of --help-all" \
	    cmp -s "$tmp/offered" "$tmp/wanted"
else
	tap_skip "bash completion" "bash is not installed"
fi

# The systemd unit: what it promises, systemd's own verdict, and its
# command line run here, with a config file that has only a [proxy] listen
# address and a backend, reloaded by the unit's ExecReload signal.
unit=$SRCDIR/samples/rtmpscope-proxy.service
for line in "Restart=on-failure" "DynamicUser=yes" "NoNewPrivileges=yes" \
    "ProtectSystem=strict" 'ExecReload=/bin/kill -HUP $MAINPID'; do
	tap_check "the systemd unit has $line" grep -qxF -- "$line" "$unit"
done
tap_check "the systemd unit runs /usr/bin/rtmpscope -c /etc/rtmpscope/rtmpscope.conf" \
    grep -q '^ExecStart=/usr/bin/rtmpscope -c /etc/rtmpscope/rtmpscope.conf\( \|$\)' "$unit"
sed "s|/usr/bin/rtmpscope|$RTMPSCOPE|" "$unit" >"$tmp/rtmpscope-proxy.service"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$tmp/rtmpscope-proxy.service" \
	    >"$tmp/verify" 2>&1
	status=$?
	if [ "$status" -eq 0 ] && ! [ -s "$tmp/verify" ]; then
		tap_ok "systemd-analyze verify: the unit is clean"
	else
		tap_diag "$(cat "$tmp/verify")"
		tap_not_ok "systemd-analyze verify: the unit is clean"
	fi
else
	tap_skip "systemd-analyze verify: the unit is clean" \
	    "systemd-analyze is not installed"
fi

# Free ports, all different.
# shellcheck disable=SC2046
set -- $(free_ports 3)
listen=$1 http=$2 backend=$3
printf '[proxy]\nlisten = 127.0.0.1:%s\n\n[backend one]\naddress = 127.0.0.1:%s\ncheck = none\n' \
    "$listen" "$backend" >"$tmp/rtmpscope.conf"
# ExecStart's words, the config file and status port replaced.
# shellcheck disable=SC2046
set -- $(sed -n 's/^ExecStart=//p' "$tmp/rtmpscope-proxy.service" |
    sed -e "s|/etc/rtmpscope/rtmpscope.conf|$tmp/rtmpscope.conf|" \
    -e "s|127.0.0.1:10083|127.0.0.1:$http|")
"$@" </dev/null >"$tmp/unit.out" 2>"$tmp/unit.err" &
pid=$!
up=false
for _ in $(seq 50); do
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=1).read().decode())' \
	    "http://127.0.0.1:$http/api/backends" >"$tmp/backends" 2>/dev/null &&
	    { up=true; break; }
	sleep 0.1
done
tap_check "the unit's command line relays on the config file's [proxy] listen" \
    sh -c "$up && grep -q '\"mode\":\"proxy\"' '$tmp/backends' &&
    python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $listen), 1).close()'"
printf '\n[backend two]\naddress = 127.0.0.1:%s\ncheck = none\n' "$backend" \
    >>"$tmp/rtmpscope.conf"
# ExecReload: kill -HUP $MAINPID
kill -HUP "$pid" 2>/dev/null
for _ in $(seq 30); do
	grep -q "reloaded, 2 backends" "$tmp/unit.err" && break
	sleep 0.1
done
tap_check "the unit's ExecReload (SIGHUP) reloads the config file" \
    grep -q "reloaded, 2 backends" "$tmp/unit.err"
kill -TERM "$pid" 2>/dev/null
# The drain takes at most drain_timeout_ms (10 s); then it is a hang.
( sleep 20; kill -9 "$pid" ) >/dev/null 2>&1 &
watchdog=$!
wait "$pid"
status=$?
kill "$watchdog" 2>/dev/null
tap_check "the unit's stop (SIGTERM) drains and ends with status 0" \
    sh -c "[ $status -eq 0 ] && grep -q draining '$tmp/unit.err'"

tap_plan "$tap_n"
tap_done
