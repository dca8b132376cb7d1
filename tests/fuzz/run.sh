#!/bin/sh
# Runs every fuzz harness for a while and says how it went, in TAP.
#
#	tests/fuzz/run.sh [SECONDS]
#
# Each harness first replays its regressions (regressions/NAME-*.bin: each
# must run clean), then fuzzes for SECONDS (default 30) from its corpus,
# which grows as it goes.  A crash, a leak, a timeout (-timeout=5) or an
# out-of-memory (-rss_limit_mb=2048) is "not ok"; the input that caused it
# stays in the crash directory, and its path is printed.  Exits non-zero
# when any harness is not ok.
#
# Environment: FUZZ_BIN (default tests/fuzz/bin, see build.sh), FUZZ_CORPUS
# (default tests/fuzz/corpus; made by seeds.sh when missing), FUZZ_CRASHES
# (default tests/fuzz/crashes), FUZZ_ONLY (names to run, e.g. "chunk amf3"),
# FUZZ_SEED (libFuzzer's -seed: the same seed, corpus and binary make the
# same run, so that what CI found is found again; default: a new one each
# run), FUZZ_ARGS (more libFuzzer flags).
set -u

here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-30}
bin=${FUZZ_BIN:-$here/bin}
corpus=${FUZZ_CORPUS:-$here/corpus}
crashes=${FUZZ_CRASHES:-$here/crashes}
only=${FUZZ_ONLY:-chunk messages amf0 amf3 codec handshake flow pipeline config splice capture http}
logs=$crashes/logs

# Largest input tried, by harness: what its seeds need, no more.
max_len() {
	case $1 in
	chunk|pipeline)	echo 65536 ;;
	messages|amf0|amf3|config|splice) echo 16384 ;;
	handshake)	echo 8192 ;;
	capture)	echo 2048 ;;
	http)		echo 9216 ;;
	flow)		echo 24576 ;;
	*)		echo 4096 ;;
	esac
}

for name in $only; do
	if [ ! -x "$bin/fuzz-$name" ]; then
		echo "run.sh: no $bin/fuzz-$name; run $here/build.sh first" >&2
		exit 2
	fi
done
if [ ! -d "$corpus" ]; then
	"$here/seeds.sh" "$corpus" "$bin" >/dev/null || exit 2
fi
mkdir -p "$crashes" "$logs"

set -- $only
echo "1..$#"
n=0
failed=0
for name in $only; do
	n=$((n + 1))
	mkdir -p "$corpus/$name"
	log=$logs/$name.log

	# Known reproducers first: each runs once and must not crash.
	bad=
	for r in "$here"/regressions/"$name"-*.bin; do
		[ -f "$r" ] || continue
		if ! "$bin/fuzz-$name" -timeout=5 -rss_limit_mb=2048 "$r" \
		    >"$log" 2>&1; then
			bad=$r
			break
		fi
	done
	if [ -n "$bad" ]; then
		echo "not ok $n - $name: regression $bad still crashes (log: $log)"
		failed=$((failed + 1))
		continue
	fi

	before=$(ls "$crashes" | grep -c "^$name-" || true)
	# shellcheck disable=SC2086
	"$bin/fuzz-$name" -max_total_time="$secs" -timeout=5 \
	    -rss_limit_mb=2048 -max_len="$(max_len "$name")" \
	    -print_final_stats=1 -artifact_prefix="$crashes/$name-" \
	    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_ARGS:-} \
	    "$corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(sed -n 's/.*DONE *cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p' "$log" | tail -1)
	after=$(ls "$crashes" | grep -c "^$name-" || true)
	if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
		echo "ok $n - $name: ${runs:-?} runs in ${secs}s, ${rate:-?}/s, ${cov:-?}"
		continue
	fi
	failed=$((failed + 1))
	echo "not ok $n - $name: exit $rc after ${runs:-?} runs (log: $log)"
	ls -t "$crashes" | grep "^$name-" | head -n $((after - before)) |
	    while read -r f; do
		echo "# crash input: $crashes/$f"
	done
	grep -m1 -E '^(==[0-9]+==ERROR|fuzz check failed|SUMMARY)' "$log" |
	    sed 's/^/#   /'
done
exit $((failed > 0))
