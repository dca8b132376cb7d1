#!/bin/sh
# Builds the libFuzzer harnesses of tests/fuzz with clang, ASan and UBSan.
#
#	tests/fuzz/build.sh [OUTDIR]
#
# OUTDIR defaults to tests/fuzz/bin.  The sources are compiled directly
# (not through the autotools libraries, which carry gcc's flags), the lists
# taken from Makefile.am: libdissectors_a for most harnesses, with
# librtmpscope_a, GLib and libpcap for fuzz-flow, fuzz-pipeline,
# fuzz-config, fuzz-splice, fuzz-capture and fuzz-http.  CC, CFLAGS and FUZZ_SAN may be set to
# override the compiler, add flags or change the sanitizers.  Also builds
# seed-extract, the plain program seeds.sh uses.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here/bin}
CC=${CC:-clang}
FUZZ_SAN=${FUZZ_SAN:--fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined}
base="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter ${CFLAGS:-}"
inc="-I$top/dissectors -I$top/src -I$here"
# Without config.h: what the sources take from it.
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
    "$top/configure.ac")
base="$base -DPACKAGE_VERSION=\"${version:-0}\""

if ! deps=$(pkg-config --cflags --libs glib-2.0 gio-2.0 libpcap 2>/dev/null); then
	deps="$(pkg-config --cflags --libs glib-2.0 gio-2.0) -lpcap"
fi

deps="$deps -lm"
mkdir -p "$out"

# The C files of a convenience library, as Makefile.am lists them: what
# ships, not whatever else lies in the folder.
lib_sources() {
	awk -v lib="$1" -v top="$top" '
	    $1 == lib "_SOURCES" { on = 1; next }
	    on && /\.c/ { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/)
		print top "/" $i }
	    on && !/\\$/ { on = 0 }' "$top/Makefile.am"
}
dissectors=$(lib_sources libdissectors_a)
src=$(lib_sources librtmpscope_a)
if [ -z "$dissectors" ] || [ -z "$src" ]; then
	echo "build.sh: no sources found in $top/Makefile.am" >&2
	exit 1
fi

# Fails early, with the fix, when clang cannot link libFuzzer.
probe=$out/.probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' >"$probe.c"
if ! $CC $FUZZ_SAN "$probe.c" -o "$probe" 2>"$probe.log"; then
	cat "$probe.log" >&2
	echo "build.sh: $CC cannot link libFuzzer; on Debian:" \
	    "apt-get install libclang-rt-14-dev" >&2
	exit 1
fi
rm -f "$probe" "$probe.c" "$probe.log"

# Objects once, instrumented for coverage; each harness links them.
FUZZ_SAN_CC=$(printf '%s\n' "$FUZZ_SAN" | sed 's/fuzzer\([,= ]\|$\)/fuzzer-no-link\1/')
mkdir -p "$out/obj"
# An object older than a header is built again (a header's change, a
# limit say, reaches every object; no per-file dependencies here).
newest_h=$(ls -t "$top"/dissectors/*.h "$top"/src/*.h "$here"/*.h | head -n 1)
objects() {
	for c in "$@"; do
		o=$out/obj/$(basename "$(dirname "$c")")-$(basename "$c" .c).o
		if [ ! -f "$o" ] || [ "$c" -nt "$o" ] ||
		    [ "$here/build.sh" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
			# shellcheck disable=SC2086
			$CC $base $FUZZ_SAN_CC $inc $glib -c "$c" -o "$o"
		fi
		echo "$o"
	done
}
glib=$(pkg-config --cflags glib-2.0)
# shellcheck disable=SC2086
dobjs=$(objects $dissectors)
# shellcheck disable=SC2086
sobjs=$(objects $src)
# shellcheck disable=SC2086
check=$(objects "$here/check-sink.c")

build() {
	name=$1
	shift
	echo "  CCLD   $out/$name"
	# shellcheck disable=SC2086
	$CC $base $FUZZ_SAN $inc $glib -o "$out/$name" "$here/$name.c" \
	    $check "$@"
}

# shellcheck disable=SC2086
{
build fuzz-chunk $dobjs
build fuzz-messages $dobjs
build fuzz-amf0 $dobjs
build fuzz-amf3 $dobjs
build fuzz-codec $dobjs
build fuzz-handshake $dobjs
build fuzz-flow $sobjs $dobjs $deps
build fuzz-pipeline $sobjs $dobjs $deps
build fuzz-config $sobjs $dobjs $deps
build fuzz-splice $sobjs $dobjs $deps
build fuzz-capture $sobjs $dobjs $deps
build fuzz-http $sobjs $dobjs $deps
}

# Not instrumented for libFuzzer: a plain program.
echo "  CCLD   $out/seed-extract"
# shellcheck disable=SC2086
$CC -g -O1 -std=gnu11 -fsanitize=address,undefined $inc \
    -o "$out/seed-extract" "$here/seed-extract.c" $dissectors
