#!/usr/bin/env bash
# Load test of the segment path: wrk fetches the same segment from one Jetty, guarded by Usher
# (a credential-checked child) and unguarded, in alternating runs. For each round it prints both
# throughputs and the server's CPU time per request (utime+stime of the server JVM from
# /proc/PID/stat, read before and after each wrk run, divided by the requests wrk completed), then
# the median and spread (min-max) of protected / unprotected for both. CPU per request is the
# noise-robust figure: wrk and Jetty share the cores with whatever else runs, which moves req/s
# far more than it moves the CPU the server spends on one request.
#
# Loopback only, bounded in time: (4 + 2 x rounds) wrk runs of the given length (two warm-up pairs).
# Usage, from the repository root; nothing needs to be installed, the reactor's target/ dirs are used:
#   servlet-filter/src/test/bench/load-test.sh [seconds-per-run=10] [connections=32] [segment-bytes=188000] [rounds=4]
# Environment:
#   USHER_BENCH_PROPS  server settings, "key=value" separated by spaces or commas, handed to the
#                      filter's configuration as they are (e.g. "usher.viewers.enabled=false")
#   BENCH_MVN_FLAGS    extra Maven flags for the build step (e.g. "-o" offline)
#   BENCH_SKIP_BUILD=1 use the classpath of the previous run (servlet-filter/target/bench.cp) as is
set -euo pipefail
cd "$(dirname "$0")/../../../.."
secs=${1:-10}; conns=${2:-32}; bytes=${3:-188000}; rounds=${4:-4}
command -v wrk >/dev/null || { echo "wrk is missing: run .ci/install-test-tools" >&2; exit 1; }
[ -r /proc/self/stat ] || { echo "needs /proc (Linux) for the server's CPU time" >&2; exit 1; }
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  # test-compile in the reactor: core, test-support and servlet-filter resolve each other from
  # their target/ dirs, so no `mvn install` is needed
  # shellcheck disable=SC2086
  mvn -B -q -ntp ${BENCH_MVN_FLAGS:-} -pl servlet-filter -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
fi
cp="servlet-filter/target/test-classes:servlet-filter/target/classes:$(cat servlet-filter/target/bench.cp)"
read -r -a props <<<"$(printf '%s' "${USHER_BENCH_PROPS:-}" | tr ',' ' ')"
out=$(mktemp)
java -Xmx512m -cp "$cp" dev.usher.servlet.LoadTestServer "$bytes" ${props[@]+"${props[@]}"} >"$out" 2>"$out.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out" "$out.err"' EXIT
for _ in $(seq 1 150); do grep -q '^open ' "$out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.2; done
protected=$(awk '/^protected /{print $2}' "$out")
open=$(awk '/^open /{print $2}' "$out")
[ -n "$protected" ] && [ -n "$open" ] || { echo "the server did not start:" >&2; tail -5 "$out.err" >&2; exit 1; }
curl -fsS -o /dev/null "$protected" && curl -fsS -o /dev/null "$open"
tick=$(getconf CLK_TCK)

# the server JVM's user+system CPU, in clock ticks (fields 14 and 15; the name in field 2 has no spaces: java)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# one wrk run against $1: prints "req/s requests cpu-seconds". A non-2xx answer stops the test (a
# refused request is cheap and would flatter the ratio); socket errors are reported, not fatal: on
# a loaded machine a connection may time out, and the requests counted are the ones completed
run() {
  local before after report
  before=$(cpu)
  report=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s "$1")
  after=$(cpu)
  if grep -q 'Non-2xx' <<<"$report"; then
    echo "wrk saw non-2xx answers from $1:" >&2; echo "$report" >&2; exit 1
  fi
  grep 'Socket errors' <<<"$report" | sed "s|^ *|warning, $1: |" >&2 || true
  awk -v b="$before" -v a="$after" -v t="$tick" '
    /Requests\/sec/ {rps = $2}
    / requests in / {n = $1}
    END {printf "%s %d %.2f\n", rps, n, (a - b) / t}' <<<"$report"
}

echo "segment ${bytes} bytes, ${conns} connections, ${secs}s per run, ${rounds} rounds, settings: ${USHER_BENCH_PROPS:-(defaults)}"
# warm-up, two pairs: with one, the first round's first side still paid for the JIT (ratios of 0.85)
for _ in 1 2; do run "$open" >/dev/null; run "$protected" >/dev/null; done
printf '%-6s %12s %12s %8s %14s %14s %8s\n' round "open req/s" "prot req/s" ratio "open us CPU/req" "prot us CPU/req" ratio
rates=(); cpus=()
for r in $(seq 1 "$rounds"); do
  # alternate which goes first, so a drift of the machine's load does not favour one side
  if (( r % 2 )); then o=$(run "$open"); p=$(run "$protected"); else p=$(run "$protected"); o=$(run "$open"); fi
  line=$(awk -v o="$o" -v p="$p" 'BEGIN {
    split(o, a, " "); split(p, b, " ");
    ocpu = a[3] / a[2] * 1e6; pcpu = b[3] / b[2] * 1e6;
    printf "%.0f %.0f %.4f %.1f %.1f %.4f", a[1], b[1], b[1] / a[1], ocpu, pcpu, pcpu / ocpu }')
  read -r orps prps rate ocpu pcpu cpur <<<"$line"
  printf '%-6s %12s %12s %8.3f %14s %14s %8.3f\n' "$r" "$orps" "$prps" "$rate" "$ocpu" "$pcpu" "$cpur"
  rates+=("$rate"); cpus+=("$cpur")
done
# median (mean of the middle two for an even count) and min-max of a list of numbers
summary() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "median %.3f (min %.3f, max %.3f, %d rounds)", m, v[1], v[NR], NR }'; }
echo "throughput protected/unprotected:          $(summary "${rates[@]}")   goal >= 0.97"
echo "server CPU per request protected/unprotected: $(summary "${cpus[@]}")   goal <= 1.03"
