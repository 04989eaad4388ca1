#!/usr/bin/env bash
# Benchmark tcp-proxy side by side with HAProxy and nginx (stream) on this machine: same echo server, same
# scenario matrix, measured interleaved. Needs: sudo apt-get install haproxy nginx-light libnginx-mod-stream
# Extra arguments go to `tcp-proxy bench`, e.g.: bench-jmh/compare-haproxy.sh --quick --runs 3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec ./tcp-proxy bench --with-haproxy --with-nginx "$@"
