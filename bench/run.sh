#!/bin/bash
# run.sh -- speed and memory benchmark of rtmpscope against a floor and tshark.
#
# Builds bench/floor.c, records the big capture if it is missing (record.sh),
# then times, RUNS times each (median), with /usr/bin/time -f "%e %M":
#   floor        libpcap reading every packet, nothing else
#   rtmpscope    -r FILE --dump=text, -r FILE --dump=json (RTMPSCOPE_MODES)
#   tshark       -r FILE -d tcp.port==1935,rtmpt -Y rtmpt
# and rtmpscope once more on the first half of the capture, to show its peak
# memory does not grow with the capture.  Prints a table and PASS/FAIL lines.
# Exit status: 0 all targets met, 1 a target missed, 2 the bench itself failed.
set -eu

PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/rtmpscope-bench}
BIG=${BENCH_PCAP:-$BENCH_DIR/big.pcap}
RTMPSCOPE=${RTMPSCOPE:-$REPO/rtmpscope}
# Semicolon-separated rtmpscope argument sets, one table row each.
RTMPSCOPE_MODES=${RTMPSCOPE_MODES:---dump=text;--dump=json}
RUNS=${BENCH_RUNS:-3}
QUICK_MB=${BENCH_QUICK_MB:-50}
PORT=1935
QUICK=0
RERECORD=0
TSHARK=1

# Targets.
MAX_FLOOR_RATIO=2	# rtmpscope wall time <= 2x the floor
MIN_SPEEDUP=10		# tshark wall time >= 10x rtmpscope
MAX_PEAK_MIB=64		# rtmpscope peak RSS < 64 MiB, on the full and half capture

usage() {
	cat <<EOF
usage: $PROG [--quick] [--rerecord] [--runs N] [--no-tshark]

  --quick      use the first $QUICK_MB MB of the capture (BENCH_QUICK_MB), minutes not tens
  --rerecord   record the big capture again (see record.sh; BENCH_SIZE_MB etc. apply)
  --runs N     runs per tool, odd (default $RUNS; env BENCH_RUNS)
  --no-tshark  skip tshark (no speed-up figure then)

env: RTMPSCOPE (binary, default $REPO/rtmpscope), RTMPSCOPE_MODES
("--dump=text;--dump=json"), BENCH_DIR ($BENCH_DIR), BENCH_PCAP ($BIG).
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 2
}

log() {
	echo "$PROG: $*" >&2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick)	QUICK=1 ;;
	--rerecord)	RERECORD=1 ;;
	--runs)		[ $# -ge 2 ] || die "--runs needs a value"; RUNS=$2; shift ;;
	--runs=*)	RUNS=${1#*=} ;;
	--no-tshark)	TSHARK=0 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done
case $RUNS in ''|*[!0-9]*) die "--runs must be a number" ;; esac
if [ "$RUNS" -lt 1 ] || [ $((RUNS % 2)) = 0 ]; then
	die "--runs must be odd and >= 1"
fi

[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install -y time)"
command -v cc >/dev/null 2>&1 || die "no C compiler (cc)"
command -v editcap >/dev/null 2>&1 || die "editcap missing (apt-get install -y wireshark-common)"
if [ "$TSHARK" = 1 ]; then
	command -v tshark >/dev/null 2>&1 || die "tshark missing (apt-get install -y tshark), or use --no-tshark"
fi

WORK=$(mktemp -d /tmp/rtmpscope-bench-measure.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$BENCH_DIR"

# --- floor
FLOOR=$BENCH_DIR/floor
cc -O2 -Wall -Wextra -o "$FLOOR" "$HERE/floor.c" -lpcap || die "cannot build floor.c (libpcap-dev?)"

# --- captures
if [ "$RERECORD" = 1 ]; then
	BENCH_PCAP=$BIG "$HERE/record.sh" --out "$BIG" --rerecord || die "recording failed"
elif [ ! -s "$BIG" ]; then
	log "no capture at $BIG; recording one"
	BENCH_PCAP=$BIG "$HERE/record.sh" --out "$BIG" || die "recording failed"
fi

# count_packets FILE: packets in FILE (via the floor).
count_packets() {
	"$FLOOR" "$1" | awk '{ print $2 }'
}

# cut_capture IN OUT PACKETS: the first PACKETS packets of IN, made once.
cut_capture() {
	if [ -s "$2" ] && [ "$2" -nt "$1" ]; then
		return 0
	fi
	editcap -r "$1" "$2.tmp" "1-$3" || die "editcap failed on $1"
	mv "$2.tmp" "$2"
}

CAP=$BIG
if [ "$QUICK" = 1 ]; then
	total=$(count_packets "$BIG")
	bytes=$(stat -c %s "$BIG")
	want=$(awk -v t="$total" -v b="$bytes" -v m="$QUICK_MB" \
	    'BEGIN { n = int(t * m * 1048576 / b); if (n < 1) n = 1; if (n > t) n = t; print n }')
	CAP=${BIG%.pcap}-quick.pcap
	cut_capture "$BIG" "$CAP" "$want"
fi
CAP_PACKETS=$(count_packets "$CAP")
HALF=${CAP%.pcap}-half.pcap
cut_capture "$CAP" "$HALF" $((CAP_PACKETS / 2))
CAP_MIB=$(awk -v b="$(stat -c %s "$CAP")" 'BEGIN { printf "%.0f", b / 1048576 }')
HALF_MIB=$(awk -v b="$(stat -c %s "$HALF")" 'BEGIN { printf "%.0f", b / 1048576 }')

HAVE_RTMPSCOPE=1
if [ ! -x "$RTMPSCOPE" ]; then
	HAVE_RTMPSCOPE=0
	log "warning: no rtmpscope at $RTMPSCOPE (set RTMPSCOPE, or: cd $REPO && ./autogen.sh && ./configure && make); measuring floor and tshark only"
fi

# Time from RAM, not from disk: every tool reads the same cached file.
cat "$CAP" "$HALF" >/dev/null

# measure NAME CMD...: run CMD RUNS times; sets MED_S (seconds), MED_KB
# (peak RSS, KiB) and OK (0 if any run failed).  stdout goes to /dev/null.
measure() {
	local name=$1 i rc line
	shift
	: >"$WORK/t" ; : >"$WORK/m"
	OK=1
	i=0
	while [ $i -lt "$RUNS" ]; do
		rc=0
		t0=$(date +%s%N)
		/usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>"$WORK/stderr" || rc=$?
		t1=$(date +%s%N)
		if [ $rc != 0 ]; then
			log "$name: run $((i + 1)) exited with status $rc:"
			tail -n 5 "$WORK/stderr" >&2
			OK=0
		fi
		line=$(tail -n 1 "$WORK/time")
		# %e counts in 10 ms steps, too coarse for the floor on a small
		# capture: the wall time used is the nanosecond clock around
		# /usr/bin/time (which adds about a millisecond of fork/exec).
		ns=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		echo "$ns" >>"$WORK/t"
		echo "${line#* }" >>"$WORK/m"
		log "$name: run $((i + 1))/$RUNS: $ns s (%e ${line% *}), ${line#* } KiB"
		i=$((i + 1))
	done
	MED_S=$(sort -n "$WORK/t" | sed -n "$(((RUNS + 1) / 2))p")
	MED_KB=$(sort -n "$WORK/m" | sed -n "$(((RUNS + 1) / 2))p")
}

NAMES=() SECS=() KBS=() OKS=()
record_row() {
	NAMES+=("$1"); SECS+=("$MED_S"); KBS+=("$MED_KB"); OKS+=("$OK")
}

log "capture: $CAP ($CAP_MIB MiB, $CAP_PACKETS packets); half: $HALF ($HALF_MIB MiB)"
measure floor "$FLOOR" "$CAP"
record_row floor
FLOOR_S=$MED_S

IFS=';' read -r -a MODES <<<"$RTMPSCOPE_MODES"
if [ "$HAVE_RTMPSCOPE" = 1 ]; then
	for mode in "${MODES[@]}"; do
		# shellcheck disable=SC2086 # a mode may hold several words
		measure "rtmpscope $mode" "$RTMPSCOPE" -r "$CAP" $mode
		record_row "rtmpscope $mode"
	done
	# shellcheck disable=SC2086
	measure "rtmpscope ${MODES[0]} (half)" "$RTMPSCOPE" -r "$HALF" ${MODES[0]}
	HALF_S=$MED_S HALF_KB=$MED_KB HALF_OK=$OK
fi

TSHARK_S=""
if [ "$TSHARK" = 1 ]; then
	measure tshark tshark -r "$CAP" -d "tcp.port==$PORT,rtmpt" -Y rtmpt
	record_row tshark
	TSHARK_S=$MED_S
fi

# --- report
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

echo
echo "capture: $CAP ($CAP_MIB MiB, $CAP_PACKETS packets), median of $RUNS runs"
if [ -s "$BIG.info" ]; then
	echo "recording of $BIG: $(sed -n 's/^\(bytes\|packets\|dropped_by_kernel\|seconds\|publishers\|players\): /\1=/p' "$BIG.info" | tr '\n' ' ')"
fi
echo
printf '%-28s %9s %9s %9s %12s\n' tool seconds "peak MiB" "x floor" "tshark/this"
i=0
while [ $i -lt ${#NAMES[@]} ]; do
	sp=""
	case ${NAMES[$i]} in
	rtmpscope*) [ -n "$TSHARK_S" ] && sp=$(ratio "$TSHARK_S" "${SECS[$i]}") ;;
	esac
	note=""
	[ "${OKS[$i]}" = 1 ] || note="  (a run failed)"
	printf '%-28s %9s %9s %9s %12s%s\n' "${NAMES[$i]}" "${SECS[$i]}" \
	    "$(mib "${KBS[$i]}")" "$(ratio "${SECS[$i]}" "$FLOOR_S")" "$sp" "$note"
	i=$((i + 1))
done
if [ "$HAVE_RTMPSCOPE" = 1 ]; then
	printf '%-28s %9s %9s   (half capture: %s MiB)\n' "rtmpscope ${MODES[0]} half" "$HALF_S" "$(mib "$HALF_KB")" "$HALF_MIB"
fi
echo
echo "seconds: median wall time (ns clock); peak MiB: median of %M (max RSS)."
echo

FAILS=0
verdict() {	# verdict COND TEXT
	if [ "$1" = 1 ]; then
		echo "PASS  $2"
	else
		echo "FAIL  $2"
		FAILS=$((FAILS + 1))
	fi
}
if [ "$HAVE_RTMPSCOPE" = 0 ]; then
	echo "SKIP  rtmpscope targets: no binary at $RTMPSCOPE"
	exit 0
fi
i=0
while [ $i -lt ${#NAMES[@]} ]; do
	case ${NAMES[$i]} in
	rtmpscope*)
		n=${NAMES[$i]} s=${SECS[$i]} kb=${KBS[$i]}
		verdict "${OKS[$i]}" "$n: exits 0 on every run"
		verdict "$(awk -v s="$s" -v f="$FLOOR_S" -v m=$MAX_FLOOR_RATIO 'BEGIN { print (s <= m * f) ? 1 : 0 }')" \
		    "$n: ${s}s <= ${MAX_FLOOR_RATIO}x floor (${FLOOR_S}s): $(ratio "$s" "$FLOOR_S")x"
		if [ -n "$TSHARK_S" ]; then
			verdict "$(awk -v s="$s" -v t="$TSHARK_S" -v m=$MIN_SPEEDUP 'BEGIN { print (t >= m * s) ? 1 : 0 }')" \
			    "$n: >= ${MIN_SPEEDUP}x faster than tshark (${TSHARK_S}s): $(ratio "$TSHARK_S" "$s")x"
		else
			echo "SKIP  $n: speed-up vs tshark (--no-tshark)"
		fi
		verdict "$(awk -v k="$kb" -v m=$MAX_PEAK_MIB 'BEGIN { print (k < m * 1024) ? 1 : 0 }')" \
		    "$n: peak $(mib "$kb") MiB < $MAX_PEAK_MIB MiB"
		;;
	esac
	i=$((i + 1))
done
# Independent of size: the half capture is under the limit too, and the full
# one needs at most 4 MiB or 10% more than the half (allocator noise).
FULL_KB=${KBS[1]}
verdict "$(awk -v h="$HALF_KB" -v f="$FULL_KB" -v m=$MAX_PEAK_MIB 'BEGIN {
    slack = h * 0.10; if (slack < 4096) slack = 4096
    print (h < m * 1024 && f <= h + slack) ? 1 : 0 }')" \
    "rtmpscope ${MODES[0]}: peak independent of size: $(mib "$HALF_KB") MiB on $HALF_MIB MiB, $(mib "$FULL_KB") MiB on $CAP_MIB MiB"
[ "$HALF_OK" = 1 ] || verdict 0 "rtmpscope ${MODES[0]} (half): exits 0 on every run"

[ $FAILS = 0 ] || exit 1
exit 0
