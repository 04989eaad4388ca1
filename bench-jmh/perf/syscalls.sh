#!/bin/bash
# syscalls.sh REPO CONNS OUTDIR -- system calls per round trip of the proxy (1 worker) and HAProxy (nbthread 1) under
# CONNS connections of 1 KiB echoes: `perf trace -s` of the whole process for 8 s from 12 s of load, one target
# after the other, same echo server. Round trips in the window = writes / 2. Stops only what it started.
set -u
REPO=$1; CONNS=$2; OUT=$3; mkdir -p "$OUT"; cd "$REPO"
OPTS="$(grep -v '^#' jvm.options | grep -v '^$' | tr '\n' ' ')"
java $OPTS -jar cli/target/tcp-proxy.jar echo --listen 127.0.0.1:18081 > "$OUT/echo.log" 2>&1 & EPID=$!
java $OPTS -jar cli/target/tcp-proxy.jar run --listen 127.0.0.1:13000 --target 127.0.0.1:18081 --workers 1 --metrics 127.0.0.1:19090 > "$OUT/proxy.log" 2>&1 & PP=$!
cat > "$OUT/haproxy.cfg" <<CFG
global
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend f
  bind 127.0.0.1:13001
  default_backend b
backend b
  server s1 127.0.0.1:18081
CFG
haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 & HP=$!
trap 'kill $EPID $PP $HP 2>/dev/null' EXIT
sleep 3
for t in proxy:13000:$PP haproxy:13001:$HP; do
  IFS=: read name port pid <<< "$t"
  TCP_PROXY_NO_BUILD=1 ./tcp-proxy loadgen --target $name=127.0.0.1:$port --connections $CONNS --size 1KiB --duration-secs 24 > "$OUT/loadgen-$name.log" 2>&1 & LPID=$!
  sleep 12
  c0=$(cat /proc/$pid/task/*/stat | awk '{s+=$14+$15} END {print s}')
  perf trace -s -p $pid -o "$OUT/trace-$name.txt" -- sleep 8 > /dev/null 2>&1
  c1=$(cat /proc/$pid/task/*/stat | awk '{s+=$14+$15} END {print s}')
  wait $LPID
  echo "$name: proxy-process CPU ticks in the window $((c1-c0))"
  python3 - "$OUT/trace-$name.txt" <<'PY'
import sys,re,collections
c=collections.Counter()
for line in open(sys.argv[1]):
    m=re.match(r'\s+(\w+)\s+(\d+)\s+\d+\s+[\d.]+',line)
    if m: c[m.group(1)]+=int(m.group(2))
rt=(c['write'] or c['sendto'])/2.0  # a round trip is one write to each side
print("  round trips (writes/2) %d; system calls per round trip %.3f: %s" % (rt, sum(c.values())/rt,
      ", ".join("%s %.3f" % (k, v/rt) for k, v in c.most_common(8))))
PY
done
