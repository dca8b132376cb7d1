#!/bin/sh
# One command on a fresh Debian machine: install what is missing, build,
# and run rtmpscope on a bundled sample capture.
set -eu
cd "$(dirname "$0")"
./install-deps.sh build
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --quiet
make --quiet -j"$(nproc)" rtmpscope
sample=samples/publish-play-cs4096.pcap
echo "== rtmpscope -r $sample --dump"
./rtmpscope -r "$sample" --dump
