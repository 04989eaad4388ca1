#!/usr/bin/env bash
# Check two performance targets of issue 6 and keep the evidence:
#
#   1. idle: N (default 10,000) concurrent idle connections hold no relay buffers, and the proxy's heap grows by at
#      most 2 KiB per connection (workers 1 and 2). The idle-check driver (tcp-proxy-bench.jar, its own JVM) opens
#      the connections through the proxy, exchanges one small message on each, and holds them; this script measures
#      the proxy's live heap (jcmd GC.run + GC.heap_info, and GC.class_histogram) before and while they are held,
#      and reads tcp_proxy_relay_buffer_bytes and tcp_proxy_connections_active from /metrics.
#   2. gc: a 60-second stress-test run (500 connections x 1 KiB, closed loop) through a proxy started with
#      -Xlog:gc* shows no GC pause; once without and once with /metrics scraped every second.
#
# Usage (from the repository root, after `mvn -o -q install -DskipTests`):
#
#   bench-jmh/check-idle-and-gc.sh [--connections N] [--idle-workers "1 2"] [--gc-workers "1 2"]
#                                  [--duration-secs S] [--skip-idle] [--skip-gc] [--out DIR]
#
# Every JVM gets the flags in jvm.options (like ./tcp-proxy) and runs from a copy of the jars taken at start, so a
# rebuild elsewhere cannot change them mid-run. Everything goes to bench-results/idle-gc-<timestamp>/ (summary.md
# there); the children are stopped on exit. Load goes to 127.0.0.1 only. Exit status: 0 when every target is met,
# 1 when one is not, 2 when the run itself failed.
set -euo pipefail

HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONNECTIONS=10000
IDLE_WORKERS="1 2"
GC_WORKERS="1 2"
DURATION_SECS=60
RUN_IDLE=1
RUN_GC=1
OUT=""
MAX_HEAP_BYTES_PER_CONNECTION=2048
WARMUP_CONNECTIONS=200
# The stress-test scenario's own warm-up (bench-jmh/scenarios.toml warmup_secs): GC events after it count.
LOAD_WARMUP_SECS=1

die()
{
    echo "check-idle-and-gc: error: $*" >&2
    exit 2
}

usage()
{
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --connections) CONNECTIONS="${2:?--connections needs a value}"; shift 2 ;;
        --idle-workers) IDLE_WORKERS="${2:?--idle-workers needs a value}"; shift 2 ;;
        --gc-workers) GC_WORKERS="${2:?--gc-workers needs a value}"; shift 2 ;;
        --duration-secs) DURATION_SECS="${2:?--duration-secs needs a value}"; shift 2 ;;
        --skip-idle) RUN_IDLE=0; shift ;;
        --skip-gc) RUN_GC=0; shift ;;
        --out) OUT="${2:?--out needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
done
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "--connections expects a positive integer, got '$CONNECTIONS'"
[[ "$DURATION_SECS" =~ ^[1-9][0-9]*$ ]] || die "--duration-secs expects a positive integer, got '$DURATION_SECS'"
for tool in java jcmd jstat curl awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found on the PATH"
done

PROXY_JAR_SRC="$HOME_DIR/cli/target/tcp-proxy.jar"
BENCH_JAR_SRC="$HOME_DIR/bench-jmh/target/tcp-proxy-bench.jar"
[ -f "$PROXY_JAR_SRC" ] && [ -f "$BENCH_JAR_SRC" ] ||
    die "build first: (cd $HOME_DIR && mvn -o -q install -DskipTests)"

[ -n "$OUT" ] || OUT="$HOME_DIR/bench-results/idle-gc-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/jars"
OUT="$(cd "$OUT" && pwd)"
cp "$PROXY_JAR_SRC" "$BENCH_JAR_SRC" "$OUT/jars/"
cp "$HOME_DIR/jvm.options" "$OUT/jvm.options"
cp "$HOME_DIR/bench-jmh/scenarios.toml" "$OUT/scenarios.toml"
PROXY_JAR="$OUT/jars/tcp-proxy.jar"
BENCH_JAR="$OUT/jars/tcp-proxy-bench.jar"
SUMMARY="$OUT/summary.md"
: > "$SUMMARY"

# The flags of jvm.options, read the way ./tcp-proxy reads them (one per line, '#' starts a comment).
JVM_FLAGS=()
while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && JVM_FLAGS+=("$line")
done < "$OUT/jvm.options"

# Idle connections need 2 descriptors each in the proxy, 1 in the echo server and 1 in the driver.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT="$(ulimit -n)"

CHILDREN=()

# alive PID: running (a child that exited but is not yet reaped is a zombie, and still answers kill -0).
alive()
{
    local state
    state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)"
    [ -n "$state" ] && [ "$state" != Z ]
}

cleanup()
{
    local pid
    for pid in ${CHILDREN[@]+"${CHILDREN[@]}"}; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in ${CHILDREN[@]+"${CHILDREN[@]}"}; do
        for _ in $(seq 50); do
            alive "$pid" || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    CHILDREN=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# forget PID: once reaped, a PID may be reused by someone else's process; never signal it again.
forget()
{
    local pid kept=()
    for pid in ${CHILDREN[@]+"${CHILDREN[@]}"}; do
        [ "$pid" = "$1" ] || kept+=("$pid")
    done
    CHILDREN=(${kept[@]+"${kept[@]}"})
}

# stop PID: SIGTERM, wait for the exit (SIGKILL after 10 s).
stop()
{
    local pid="$1" i
    if kill -TERM "$pid" 2>/dev/null; then
        for i in $(seq 100); do
            alive "$pid" || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}

say()
{
    echo "$*"
    echo "$*" >> "$SUMMARY"
}

# wait_for_line FILE PATTERN PID SECONDS: the first line of FILE matching PATTERN, once PID printed it.
wait_for_line()
{
    local file="$1" pattern="$2" pid="$3" secs="$4" i line
    for i in $(seq $((secs * 10))); do
        line="$(grep -m1 -E "$pattern" "$file" 2>/dev/null || true)"
        if [ -n "$line" ]; then
            echo "$line"
            return 0
        fi
        alive "$pid" || break
        sleep 0.1
    done
    echo "check-idle-and-gc: no line matching '$pattern' in $file:" >&2
    tail -20 "$file" >&2 || true
    return 1
}

# start_echo DIR: sets ECHO_PID and ECHO_PORT.
start_echo()
{
    local dir="$1" line
    (cd "$dir" && exec java "${JVM_FLAGS[@]}" -jar "$PROXY_JAR" echo --listen 127.0.0.1:0) \
        > "$dir/echo.log" 2>&1 < /dev/null &
    ECHO_PID=$!
    CHILDREN+=("$ECHO_PID")
    line="$(wait_for_line "$dir/echo.log" 'listening on' "$ECHO_PID" 60)" || die "the echo server did not start"
    ECHO_PORT="${line##*:}"
}

# start_proxy DIR WORKERS EXTRA_JVM_FLAG...: sets PROXY_PID, PROXY_PORT and METRICS_PORT. Runs in DIR, so no
# ./proxy.toml is read: the built-in defaults plus these flags.
start_proxy()
{
    local dir="$1" workers="$2" line
    shift 2
    local max_connections=$((CONNECTIONS > 10000 ? CONNECTIONS : 10000))
    (cd "$dir" && exec java "${JVM_FLAGS[@]}" "$@" -jar "$PROXY_JAR" run \
        --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" --metrics-addr 127.0.0.1:0 \
        --workers "$workers" --log-events off --metrics-log-interval-secs 0 --grace-period-secs 0 \
        --max-connections "$max_connections") > "$dir/proxy.log" 2>&1 < /dev/null &
    PROXY_PID=$!
    CHILDREN+=("$PROXY_PID")
    line="$(wait_for_line "$dir/proxy.log" 'tcp-proxy listening on' "$PROXY_PID" 60)" || die "the proxy did not start"
    PROXY_PORT="$(sed -E 's/.*listening on [^ ]*:([0-9]+),.*/\1/' <<< "$line")"
    METRICS_PORT="$(sed -E 's#.*metrics on http://[^ ]*:([0-9]+)/.*#\1#' <<< "$line")"
    echo "$(date +%T) proxy pid $PROXY_PID workers $workers on 127.0.0.1:$PROXY_PORT, metrics :$METRICS_PORT," \
        "echo server pid $ECHO_PID on 127.0.0.1:$ECHO_PORT" | tee -a "$dir/steps.log"
}

metric()
{
    curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}

# wait_for_metric NAME VALUE SECONDS: poll /metrics until NAME reads VALUE.
wait_for_metric()
{
    local name="$1" want="$2" secs="$3" i value=""
    for i in $(seq $((secs * 4))); do
        value="$(metric "$name")"
        [ "$value" = "$want" ] && return 0
        sleep 0.25
    done
    echo "check-idle-and-gc: $name is '$value', expected $want" >&2
    return 1
}

fd_count()
{
    ls "/proc/$1/fd" | wc -l
}

rss_kib()
{
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# snapshot PID PREFIX: full GCs, then live heap (KiB, echoed), heap_info, class histogram, native memory.
snapshot()
{
    local pid="$1" prefix="$2"
    curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" > "$prefix.metrics.txt"
    jcmd "$pid" GC.run > /dev/null
    jcmd "$pid" GC.run > /dev/null
    jcmd "$pid" GC.heap_info > "$prefix.heap_info.txt"
    jcmd "$pid" GC.class_histogram > "$prefix.class_histogram.txt"
    jcmd "$pid" VM.native_memory summary > "$prefix.native_memory.txt" 2>&1 || true
    jstat -gc "$pid" > "$prefix.jstat.txt" 2>&1 || true
    echo "VmRSS_KiB $(rss_kib "$pid")" > "$prefix.process.txt"
    echo "fds $(fd_count "$pid")" >> "$prefix.process.txt"
    # Heap generations: "PSYoungGen total 76288K, used 0K", "ParOldGen total ..., used 4051K" (G1: "garbage-first
    # heap total ..., used ..."); Metaspace is not heap.
    awk '/total/ && /used/ && !/Metaspace/ && !/class space/ {
            for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); sum += v }
         } END { print sum + 0 }' "$prefix.heap_info.txt"
}

histogram_total_bytes()
{
    awk '$1 == "Total" { print $3 }' "$1"
}

# histogram_diff BEFORE HELD CONNECTIONS: classes by bytes grown, top 20, with bytes and instances per connection.
histogram_diff()
{
    awk -v n="$3" '
        FNR == 1 { file++ }
        $1 ~ /^[0-9]+:$/ {
            key = $4
            if (file == 1) { b[key] = $3; i[key] = $2 } else { h[key] = $3; j[key] = $2 }
            seen[key] = 1
        }
        END {
            for (k in seen) {
                d = h[k] - b[k]
                if (d != 0) printf "%d %d %s\n", d, j[k] - i[k], k
            }
        }' "$1" "$2" | sort -k1,1nr | head -20 |
        awk -v n="$3" 'BEGIN {
                printf "| bytes grown | B/conn | instances grown | per conn | class |\n|---:|---:|---:|---:|---|\n"
            } { printf "| %d | %.1f | %d | %.2f | `%s` |\n", $1, $1 / n, $2, $2 / n, $3 }'
}

native_total_committed_kib()
{
    sed -nE 's/^Total: reserved=[0-9]+KB, committed=([0-9]+)KB.*/\1/p' "$1" | head -1
}

# native_category_committed FILE NAME: committed KiB of an NMT category ("Other" holds NIO direct buffers).
native_category_committed()
{
    sed -nE "s/^-[[:space:]]+$2 \\(reserved=[0-9]+KB, committed=([0-9]+)KB.*/\\1/p" "$1" | head -1
}

IDLE_OK=1
GC_OK=1

# idle_check WORKERS
idle_check()
{
    local workers="$1"
    local dir="$OUT/idle-w$workers"
    mkdir -p "$dir"
    start_echo "$dir"
    start_proxy "$dir" "$workers" -XX:NativeMemoryTracking=summary

    # Warm up the accept, connect and relay paths (class loading, JIT, lazily created pools), then let it settle.
    java "${JVM_FLAGS[@]}" -jar "$BENCH_JAR" idle-check --target "127.0.0.1:$PROXY_PORT" \
        --connections "$WARMUP_CONNECTIONS" --hold-secs 1 > "$dir/driver-warmup.log" 2>&1 ||
        die "the warm-up idle-check failed: $(tail -3 "$dir/driver-warmup.log")"
    wait_for_metric tcp_proxy_connections_active 0 30 || die "warm-up connections did not close"

    # 2 descriptors per connection in the proxy, on top of what it holds now (the JVM's jar and modules files,
    # listeners, selectors); a few spare.
    local base_fds n
    base_fds="$(fd_count "$PROXY_PID")"
    n=$(( (FD_LIMIT - base_fds - 8) / 2 ))
    if [ "$n" -ge "$CONNECTIONS" ]; then
        n="$CONNECTIONS"
    else
        say "- NOTE workers=$workers: the open-files limit is $FD_LIMIT (hard limit $(ulimit -Hn), cannot be raised" \
            "here) and the proxy already holds $base_fds descriptors, so it can hold at most $n connections" \
            "(2 descriptors each): measuring $n instead of $CONNECTIONS."
    fi

    local base_heap held_heap after_heap
    jcmd "$PROXY_PID" VM.native_memory baseline > /dev/null 2>&1 || true
    base_heap="$(snapshot "$PROXY_PID" "$dir/before")"
    echo "$(date +%T) before: live heap ${base_heap} KiB, $base_fds fds" | tee -a "$dir/steps.log"

    rm -f "$dir/release"
    java "${JVM_FLAGS[@]}" -jar "$BENCH_JAR" idle-check --target "127.0.0.1:$PROXY_PORT" --connections "$n" \
        --release-file "$dir/release" --hold-secs 900 --timeout-secs 300 > "$dir/driver.log" 2>&1 < /dev/null &
    local driver_pid=$!
    CHILDREN+=("$driver_pid")
    wait_for_line "$dir/driver.log" '^idle-check: holding ' "$driver_pid" 320 > /dev/null ||
        die "the idle-check driver did not establish $n connections: $(tail -3 "$dir/driver.log")"
    wait_for_metric tcp_proxy_connections_active "$n" 30 || true
    sleep 2

    held_heap="$(snapshot "$PROXY_PID" "$dir/held")"
    jcmd "$PROXY_PID" VM.native_memory summary.diff > "$dir/held.native_memory_diff.txt" 2>&1 || true
    local active relay relay_high fds_held
    active="$(awk '$1 == "tcp_proxy_connections_active" { print $2 }' "$dir/held.metrics.txt")"
    relay="$(awk '$1 == "tcp_proxy_relay_buffer_bytes" { print $2 }' "$dir/held.metrics.txt")"
    relay_high="$(awk '$1 == "tcp_proxy_relay_buffer_high_water_bytes" { print $2 }' "$dir/held.metrics.txt")"
    fds_held="$(awk '$1 == "fds" { print $2 }' "$dir/held.process.txt")"
    echo "$(date +%T) held: live heap ${held_heap} KiB, $fds_held fds, active $active, relay buffer bytes $relay" |
        tee -a "$dir/steps.log"

    touch "$dir/release"
    local driver_rc=0
    wait "$driver_pid" || driver_rc=$?
    forget "$driver_pid"
    wait_for_metric tcp_proxy_connections_active 0 30 || true
    after_heap="$(snapshot "$PROXY_PID" "$dir/after")"

    local hist_base hist_held per_conn per_conn_hist rss_base rss_held nmt_base nmt_held other_base other_held
    hist_base="$(histogram_total_bytes "$dir/before.class_histogram.txt")"
    hist_held="$(histogram_total_bytes "$dir/held.class_histogram.txt")"
    per_conn="$(awk -v a="$base_heap" -v b="$held_heap" -v n="$n" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"
    per_conn_hist="$(awk -v a="$hist_base" -v b="$hist_held" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')"
    rss_base="$(awk '$1 == "VmRSS_KiB" { print $2 }' "$dir/before.process.txt")"
    rss_held="$(awk '$1 == "VmRSS_KiB" { print $2 }' "$dir/held.process.txt")"
    nmt_base="$(native_total_committed_kib "$dir/before.native_memory.txt")"
    nmt_held="$(native_total_committed_kib "$dir/held.native_memory.txt")"
    other_base="$(native_category_committed "$dir/before.native_memory.txt" Other)"
    other_held="$(native_category_committed "$dir/held.native_memory.txt" Other)"

    local verdict="met"
    if [ "$per_conn" -gt "$MAX_HEAP_BYTES_PER_CONNECTION" ] || [ "$per_conn_hist" -gt "$MAX_HEAP_BYTES_PER_CONNECTION" ] ||
        [ "${relay:-x}" != "0" ] || [ "${active:-x}" != "$n" ] || [ "$driver_rc" -ne 0 ]; then
        verdict="NOT met"
        IDLE_OK=0
    fi
    {
        echo
        echo "### idle, workers=$workers: $n connections held idle: target $verdict"
        echo
        echo "| measure | before | held | after close | per connection |"
        echo "|---|---:|---:|---:|---:|"
        echo "| live heap, GC.heap_info used (KiB) | $base_heap | $held_heap | $after_heap | **$per_conn B** |"
        echo "| live heap, GC.class_histogram total (B) | $hist_base | $hist_held |" \
            "$(histogram_total_bytes "$dir/after.class_histogram.txt") | $per_conn_hist B |"
        echo "| tcp_proxy_connections_active | 0 | $active | $(metric tcp_proxy_connections_active) | |"
        echo "| tcp_proxy_relay_buffer_bytes | $(awk '$1 == "tcp_proxy_relay_buffer_bytes" { print $2 }' \
            "$dir/before.metrics.txt") | **$relay** | $(metric tcp_proxy_relay_buffer_bytes) | |"
        echo "| relay buffer high water (B) | | $relay_high | | |"
        echo "| open descriptors | $base_fds | $fds_held | $(fd_count "$PROXY_PID") |" \
            "$(awk -v a="$base_fds" -v b="$fds_held" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }') |"
        echo "| RSS (KiB) | $rss_base | $rss_held | $(awk '$1 == "VmRSS_KiB" { print $2 }' "$dir/after.process.txt") |" \
            "$(awk -v a="$rss_base" -v b="$rss_held" -v n="$n" 'BEGIN { printf "%.0f B", (b - a) * 1024 / n }') |"
        echo "| NMT committed total (KiB) | $nmt_base | $nmt_held |" \
            "$(native_total_committed_kib "$dir/after.native_memory.txt") |" \
            "$(awk -v a="$nmt_base" -v b="$nmt_held" -v n="$n" 'BEGIN { printf "%.0f B", (b - a) * 1024 / n }') |"
        echo "| NMT Other = direct buffers (KiB) | $other_base | $other_held |" \
            "$(native_category_committed "$dir/after.native_memory.txt" Other) | |"
        echo
        echo "Driver: $(grep -E '^idle-check: (holding|held|FAILED)' "$dir/driver.log" | tr '\n' ' ')(exit $driver_rc)"
        echo
        echo "Heap growth by class while held (GC.class_histogram held minus before, top 20):"
        echo
        histogram_diff "$dir/before.class_histogram.txt" "$dir/held.class_histogram.txt" "$n"
    } | tee -a "$SUMMARY"

    stop "$PROXY_PID"
    stop "$ECHO_PID"
}

# gc_run WORKERS MODE (plain | scrape)
gc_run()
{
    local workers="$1" mode="$2"
    local dir="$OUT/gc-w$workers-$mode"
    mkdir -p "$dir"
    start_echo "$dir"
    start_proxy "$dir" "$workers" "-Xlog:gc*:file=$dir/gc.log:uptime,level,tags"
    sleep 1

    jstat -gc "$PROXY_PID" > "$dir/jstat-before.txt"
    local start_uptime end_uptime scrape_pid="" scrapes=0
    start_uptime="$(jcmd "$PROXY_PID" VM.uptime | awk 'NR == 2 { print $1 }')"
    if [ "$mode" = scrape ]; then
        (
            while :; do
                curl -s --max-time 2 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$METRICS_PORT/metrics" || true
                sleep 1
            done
        ) > "$dir/scrapes.log" 2>&1 &
        scrape_pid=$!
        CHILDREN+=("$scrape_pid")
    fi
    echo "$(date +%T) stress-test for ${DURATION_SECS} s through the proxy (workers $workers, $mode)" |
        tee -a "$dir/steps.log"
    local load_rc=0
    java "${JVM_FLAGS[@]}" -jar "$BENCH_JAR" loadgen --target "proxy=127.0.0.1:$PROXY_PORT" \
        --scenarios "$OUT/scenarios.toml" --scenario stress-test --duration-secs "$DURATION_SECS" \
        --out "$dir/loadgen" > "$dir/loadgen.log" 2>&1 < /dev/null || load_rc=$?
    end_uptime="$(jcmd "$PROXY_PID" VM.uptime | awk 'NR == 2 { print $1 }')"
    jstat -gc "$PROXY_PID" > "$dir/jstat-after.txt"
    if [ -n "$scrape_pid" ]; then
        stop "$scrape_pid"
        scrapes="$(grep -c '^200$' "$dir/scrapes.log" || true)"
    fi
    # SIGTERM: the JVM writes the heap summary at exit into the GC log.
    stop "$PROXY_PID"
    stop "$ECHO_PID"

    # Pauses: "[12.345s][info][gc] GC(3) Pause Young (Allocation Failure) 64M->2M(245M) 1.234ms".
    local stats
    stats="$(awk -v start="$start_uptime" -v end="$end_uptime" -v warm="$LOAD_WARMUP_SECS" '
        {
            t = $0; sub(/^\[/, "", t); sub(/s\].*/, "", t); t += 0
        }
        /GC\([0-9]+\)/ {
            id = $0; sub(/.*GC\(/, "", id); sub(/\).*/, "", id)
            all[id] = 1
            if (t >= start && t <= end) during[id] = 1
            if (t >= start + warm && t <= end) after[id] = 1
        }
        /\]\[gc *\] *GC\([0-9]+\) Pause/ {
            ms = $NF; sub(/ms$/, "", ms)
            pauses_all++; ms_all += ms
            if (t >= start && t <= end) {
                pauses_during++; ms_during += ms
                # "64M->2M(245M)": what the collection freed counts toward what was allocated in the window
                if (match($0, /[0-9]+[KMG]->[0-9]+[KMG]/)) {
                    split(substr($0, RSTART, RLENGTH), sz, "->")
                    freed_kib += kib(sz[1]) - kib(sz[2])
                }
            }
            if (t >= start + warm && t <= end) { pauses_after++; ms_after += ms; if (ms > max_after) max_after = ms }
        }
        function kib(v,    u) {
            u = substr(v, length(v)); v = substr(v, 1, length(v) - 1) + 0
            return u == "G" ? v * 1048576 : u == "M" ? v * 1024 : v
        }
        END {
            for (k in all) n_all++
            for (k in during) n_during++
            for (k in after) n_after++
            printf "%d %d %d %d %.3f %d %.3f %d %.3f %.3f %d\n", n_all + 0, n_during + 0, n_after + 0,
                pauses_all + 0, ms_all, pauses_during + 0, ms_during, pauses_after + 0, ms_after, max_after, freed_kib
        }' "$dir/gc.log")"
    local n_all n_during n_after p_all ms_all p_during ms_during p_after ms_after max_after freed_kib
    read -r n_all n_during n_after p_all ms_all p_during ms_during p_after ms_after max_after freed_kib <<< "$stats"
    # Allocated in the load window = heap used after - before + what collections in between freed.
    local allocated_kib
    allocated_kib="$(awk -v a="$(jstat_heap_used_kib "$dir/jstat-before.txt")" \
        -v b="$(jstat_heap_used_kib "$dir/jstat-after.txt")" -v f="$freed_kib" 'BEGIN { printf "%.0f", b - a + f }')"

    local ygc_before fgc_before ygc_after fgc_after
    ygc_before="$(jstat_column "$dir/jstat-before.txt" YGC)"
    fgc_before="$(jstat_column "$dir/jstat-before.txt" FGC)"
    ygc_after="$(jstat_column "$dir/jstat-after.txt" YGC)"
    fgc_after="$(jstat_column "$dir/jstat-after.txt" FGC)"
    local verdict="met"
    if [ "$p_after" -ne 0 ] || [ "$n_after" -ne 0 ] || [ "$load_rc" -ne 0 ]; then
        verdict="NOT met"
        GC_OK=0
    fi
    {
        echo
        echo "### gc, workers=$workers, $mode: ${DURATION_SECS} s stress-test: target $verdict"
        echo
        echo "- load window: proxy uptime ${start_uptime}s to ${end_uptime}s (warm-up: first ${LOAD_WARMUP_SECS} s)" \
            "${scrape_pid:+; /metrics scraped $scrapes times (HTTP 200), once a second}"
        echo "- GC events (distinct GC ids) after warm-up: **$n_after**, pauses **$p_after** totalling ${ms_after} ms" \
            "(longest ${max_after} ms); during the whole load window: $n_during events, $p_during pauses," \
            "${ms_during} ms; whole log: $n_all events, $p_all pauses, ${ms_all} ms"
        echo "- jstat young/full GC counts: before the load $ygc_before/$fgc_before, after $ygc_after/$fgc_after"
        echo "- heap allocated by the proxy in the load window: $(awk -v k="$allocated_kib" \
            -v s="$(awk -v a="$start_uptime" -v b="$end_uptime" 'BEGIN { print b - a }')" \
            'BEGIN { printf "%.1f MiB, %.0f KiB/s", k / 1024, k / s }') (jstat used after - before, plus what" \
            "collections freed; eden capacity $(jstat_column "$dir/jstat-before.txt" EC) KiB)"
        echo "- load: $(grep -E '^\| *stress-test' "$dir/loadgen.log" | head -1) (loadgen exit $load_rc)"
        echo
        echo "GC log summary (gc,heap,exit lines and every pause):"
        echo
        echo '```'
        grep -E '\]\[gc *\] *GC\([0-9]+\) Pause|gc,heap,exit|gc,metaspace *\].*exit|\[gc,init *\] (Using|Heap Max|Heap Initial)' \
            "$dir/gc.log" | head -40 || true
        grep -E '\[gc *\] Using' "$dir/gc.log" | head -1 || true
        echo '```'
    } | tee -a "$SUMMARY"
}

# jstat_heap_used_kib FILE: survivors + eden + old used, from `jstat -gc`.
jstat_heap_used_kib()
{
    awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
         NR == 2 { printf "%.0f", $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"] }' "$1"
}

# jstat_column FILE NAME: a column of `jstat -gc` by its header.
jstat_column()
{
    awk -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR == 2 { print $c }' "$1"
}

{
    echo "# idle connections and GC check, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`bench-jmh/check-idle-and-gc.sh --connections $CONNECTIONS --idle-workers \"$IDLE_WORKERS\"" \
        "--gc-workers \"$GC_WORKERS\" --duration-secs $DURATION_SECS\`"
    echo "- commit: $(git -C "$HOME_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$( [ -n "$(git -C "$HOME_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo '(working tree modified)')"
    echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), shared;" \
        "$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
    echo "- java: $(java -version 2>&1 | head -2 | tail -1)"
    echo "- JVM flags (jvm.options): ${JVM_FLAGS[*]}"
    echo "- open-files limit: $FD_LIMIT (hard $(ulimit -Hn))"
    echo "- results: $OUT"
} | tee -a "$SUMMARY"

if [ "$RUN_IDLE" = 1 ]; then
    say
    say "## Idle connections: no relay buffers, heap growth <= $MAX_HEAP_BYTES_PER_CONNECTION B per connection"
    for w in $IDLE_WORKERS; do
        idle_check "$w"
    done
fi
if [ "$RUN_GC" = 1 ]; then
    say
    say "## ${DURATION_SECS}-second stress-test: no GC pause after warm-up"
    for w in $GC_WORKERS; do
        gc_run "$w" plain
        gc_run "$w" scrape
    done
fi

say
[ "$RUN_IDLE" = 1 ] && say "idle target: $([ "$IDLE_OK" = 1 ] && echo met || echo NOT met)"
[ "$RUN_GC" = 1 ] && say "GC target: $([ "$GC_OK" = 1 ] && echo met || echo NOT met)"
say "summary: $SUMMARY"
[ "$IDLE_OK" = 1 ] && [ "$GC_OK" = 1 ]
