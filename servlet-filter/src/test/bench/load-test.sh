#!/usr/bin/env bash
# Load test of the segment path: wrk fetches the same segment from one Jetty, guarded by Usher
# (a credential-checked child) and unguarded, alternating, and prints the throughput ratio.
# Loopback only, bounded in time. Usage (from the repository root, after `mvn -B -ntp install -DskipTests`):
#   servlet-filter/src/test/bench/load-test.sh [seconds-per-run=10] [connections=32] [segment-bytes=188000]
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${1:-10}; conns=${2:-32}; bytes=${3:-188000}
command -v wrk >/dev/null || { echo "wrk is missing: run .ci/install-test-tools" >&2; exit 1; }
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench.cp)"
out=$(mktemp)
java -Xmx512m -cp "$cp" dev.usher.servlet.LoadTestServer "$bytes" >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 150); do grep -q '^open ' "$out" && break; sleep 0.2; done
protected=$(awk '/^protected /{print $2}' "$out")
open=$(awk '/^open /{print $2}' "$out")
[ -n "$protected" ] && [ -n "$open" ] || { echo "the server did not start" >&2; exit 1; }
curl -fsS -o /dev/null "$protected" && curl -fsS -o /dev/null "$open"
run() { wrk -t2 -c"$conns" -d"${secs}s" "$1" | awk '/Requests\/sec/{print $2}'; }
run "$open" >/dev/null; run "$protected" >/dev/null   # warm-up
o1=$(run "$open"); p1=$(run "$protected"); o2=$(run "$open"); p2=$(run "$protected")
echo "segment ${bytes} bytes, ${conns} connections, ${secs}s per run"
echo "unprotected req/s: $o1 $o2"
echo "protected   req/s: $p1 $p2"
awk -v o1="$o1" -v o2="$o2" -v p1="$p1" -v p2="$p2" 'BEGIN{printf "ratio protected/unprotected: %.3f\n", (p1+p2)/(o1+o2)}'
