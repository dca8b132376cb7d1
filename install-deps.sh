#!/bin/sh
# Installs what rtmpscope needs to build and to run its tests, on Debian.
# Only what is missing is installed.  Usage: ./install-deps.sh [build|test|full]
# (full: also clang and libFuzzer, for the sanitizer and fuzz passes)
set -eu
BUILD="autoconf automake make gcc pkg-config libpcap-dev libglib2.0-dev libncurses-dev libcmocka-dev"
TEST="python3 tshark tcpdump nginx libnginx-mod-rtmp ffmpeg rtmpdump iproute2 tmux mandoc"
FULL="clang libclang-rt-14-dev"
case "${1:-test}" in
build) want=$BUILD ;;
test) want="$BUILD $TEST" ;;
full) want="$BUILD $TEST $FULL" ;;
*) echo "usage: $0 [build|test|full]" >&2; exit 2 ;;
esac
missing=""
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null; then
	sudo="sudo"
else
	echo "install-deps: missing:$missing; run as root: apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
