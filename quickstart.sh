#!/bin/sh
# One command on a fresh Debian machine: install what is missing, build,
# and open the dashboard on a bundled sample capture.
set -eu
cd "$(dirname "$0")"
./install-deps.sh build
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --quiet
make --quiet -j"$(nproc)" rtmpscope
sample=samples/publish-play-cs4096.pcap
# On a terminal this opens the dashboard (q quits); otherwise a report.
exec ./rtmpscope -r "$sample"
