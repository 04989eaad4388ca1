#!/bin/bash
# profile.sh REPO CONNS OUTDIR -- perf record -g of the proxy (1 worker) under CONNS connections of 1 KiB echoes,
# 10 s from 18 s of load; Compiler.perfmap so JIT frames have names. Stops only what it started.
set -u
REPO=$1; CONNS=$2; OUT=$3; mkdir -p "$OUT"; cd "$REPO"
OPTS="$(grep -v '^#' jvm.options | grep -v '^$' | tr '\n' ' ') -XX:+PreserveFramePointer"
java $OPTS -jar cli/target/tcp-proxy.jar echo --listen 127.0.0.1:18081 > "$OUT/echo.log" 2>&1 & EPID=$!
java $OPTS -jar cli/target/tcp-proxy.jar run --listen 127.0.0.1:13000 --target 127.0.0.1:18081 --workers 1 --metrics 127.0.0.1:19090 > "$OUT/proxy.log" 2>&1 & PP=$!
trap 'kill $EPID $PP $LPID 2>/dev/null' EXIT
sleep 3
TCP_PROXY_NO_BUILD=1 ./tcp-proxy loadgen --target proxy=127.0.0.1:13000 --connections $CONNS --size 1KiB --duration-secs 35 > "$OUT/loadgen.log" 2>&1 & LPID=$!
sleep 18
perf record -g -F 499 -p $PP -o "$OUT/perf.data" -- sleep 10 > "$OUT/perf-record.log" 2>&1
jcmd $PP Compiler.perfmap > /dev/null 2>&1
wait $LPID
grep -m1 "RPS" "$OUT/loadgen.log"; grep -A3 "^|" "$OUT/loadgen.log" | head -4
