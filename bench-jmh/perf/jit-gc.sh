#!/bin/bash
# jit-gc.sh REPO CONNS WARM_SECS WINDOW_SECS OUTDIR
# Starts the echo server and the proxy (1 worker) from REPO's jars, drives CONNS connections of 1 KiB echoes with
# tcp-proxy loadgen, and after WARM_SECS of load takes per-thread CPU ticks (/proc/PID/task/*/stat) and the GC
# counts (jstat) of the proxy, then again WINDOW_SECS later. Prints the share of the proxy's CPU by thread group
# in the window and the young/full GC counts. Stops only the processes it started (by PID).
set -u
REPO=$1; CONNS=$2; WARM=$3; WINDOW=$4; OUT=$5
mkdir -p "$OUT"; cd "$REPO"
JAR=cli/target/tcp-proxy.jar
OPTS=$(grep -v '^#' jvm.options | grep -v '^$' | tr '\n' ' ')
java $OPTS -jar $JAR echo --listen 127.0.0.1:18081 > "$OUT/echo.log" 2>&1 & EPID=$!
java $OPTS -jar $JAR run --listen 127.0.0.1:13000 --target 127.0.0.1:18081 --workers 1 --metrics 127.0.0.1:19090 > "$OUT/proxy.log" 2>&1 & PPID_=$!
trap 'kill $EPID $PPID_ $LPID 2>/dev/null' EXIT
sleep 3
TOTAL=$((WARM + WINDOW + 5))
TCP_PROXY_NO_BUILD=1 ./tcp-proxy loadgen --target proxy=127.0.0.1:13000 --connections $CONNS --size 1KiB --duration-secs $TOTAL > "$OUT/loadgen.log" 2>&1 & LPID=$!
snap() { for t in /proc/$PPID_/task/*; do name=$(cat $t/comm); set -- $(sed 's/.*) //' $t/stat); echo "$name ${12} ${13}"; done; }
sleep $WARM
snap > "$OUT/t0.txt"; jstat -gc $PPID_ | tail -1 > "$OUT/gc0.txt"
sleep $WINDOW
snap > "$OUT/t1.txt"; jstat -gc $PPID_ | tail -1 > "$OUT/gc1.txt"
wait $LPID
python3 - "$OUT" <<'PY'
import sys,re,collections
out=sys.argv[1]
def load(f):
    d=collections.Counter()
    for line in open(f):
        parts=line.rsplit(None,2); name=parts[0]; u=int(parts[1]); s=int(parts[2])
        if re.match(r'C[12] CompilerThre',name): g='jit'
        elif name.startswith('GC Thread') or 'GC' in name or name.startswith('VM Thread'): g='gc+vm'
        elif 'worker' in name.lower(): g='workers'
        elif 'collector' in name.lower(): g='collector'
        elif 'http' in name.lower() or 'metrics' in name.lower(): g='http'
        else: g='other:'+name
        d[g]+=u+s
    return d
a=load(out+'/t0.txt'); b=load(out+'/t1.txt')
tot=sum(b.values())-sum(a.values())
print("proxy CPU ticks in window: %d" % tot)
for g in sorted(set(a)|set(b)):
    dv=b[g]-a[g]
    if dv: print("  %-28s %6d ticks  %5.2f %%" % (g, dv, 100.0*dv/max(tot,1)))
g0=open(out+'/gc0.txt').read().split(); g1=open(out+'/gc1.txt').read().split()
print("jstat -gc before:", ' '.join(g0)); print("jstat -gc after: ", ' '.join(g1))
PY
tail -3 "$OUT/loadgen.log"
