#!/usr/bin/env bash
# Load test of the segment path: wrk fetches the same segment from one Jetty, guarded by Usher
# (a credential-checked child) and unguarded, in alternating runs. For each round it prints both
# throughputs and the server's CPU time per request (utime+stime of the server JVM from
# /proc/PID/stat, read before and after each wrk run, divided by the requests wrk completed), then
# the median and spread (min-max) of protected / unprotected for both. CPU per request is the
# noise-robust figure: wrk and Jetty share the cores with whatever else runs, which moves req/s
# far more than it moves the CPU the server spends on one request. It is given twice: all of the
# JVM's threads, and without the JIT compiler's threads. The compiler is still at work well after
# the warm-up on 2 shared cores (a perf of the server showed it in 13-27 % of the samples of a run
# 30 s in, and in 5 % of a run's CPU still after 60 s), in whichever run it happens to fall: that is
# warm-up, not the cost of a request, and it moved single rounds' ratios by several percent either
# way. GC threads stay in: what a request allocates it pays for there.
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
# a fixed number of compiler threads, so none exits with its CPU time during a run (see jit())
java -Xmx512m -XX:-UseDynamicNumberOfCompilerThreads -cp "$cp" dev.usher.servlet.LoadTestServer "$bytes" ${props[@]+"${props[@]}"} >"$out" 2>"$out.err" &
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
# the same of the JIT compiler's threads (named "C1 CompilerThre", "C2 CompilerThre"; the name is
# field 2 in parentheses, with a space, so the times are counted from the end of the line)
jit() {
  local sum=0 t
  for t in /proc/$pid/task/*; do
    if grep -q 'Compiler' "$t/comm" 2>/dev/null; then
      sum=$((sum + $(sed 's/^.*) //' "$t/stat" | awk '{print $12 + $13}')))
    fi
  done
  echo "$sum"
}
# one wrk run against $1: prints "req/s requests cpu-seconds jit-cpu-seconds". A non-2xx answer stops the test (a
# refused request is cheap and would flatter the ratio); socket errors are reported, not fatal: on
# a loaded machine a connection may time out, and the requests counted are the ones completed
run() {
  local before after jbefore jafter report
  before=$(cpu); jbefore=$(jit)
  report=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s "$1")
  after=$(cpu); jafter=$(jit)
  if grep -q 'Non-2xx' <<<"$report"; then
    echo "wrk saw non-2xx answers from $1:" >&2; echo "$report" >&2; exit 1
  fi
  grep 'Socket errors' <<<"$report" | sed "s|^ *|warning, $1: |" >&2 || true
  awk -v b="$before" -v a="$after" -v jb="$jbefore" -v ja="$jafter" -v t="$tick" '
    /Requests\/sec/ {rps = $2}
    / requests in / {n = $1}
    END {printf "%s %d %.2f %.2f\n", rps, n, (a - b) / t, (ja - jb) / t}' <<<"$report"
}

echo "segment ${bytes} bytes, ${conns} connections, ${secs}s per run, ${rounds} rounds, settings: ${USHER_BENCH_PROPS:-(defaults)}"
# warm-up, two pairs: with one, the first round's first side still paid for the JIT (ratios of 0.85)
for _ in 1 2; do run "$open" >/dev/null; run "$protected" >/dev/null; done
printf '%-6s %12s %12s %8s %14s %14s %8s %14s %14s %8s\n' round "open req/s" "prot req/s" ratio \
  "open us CPU/req" "prot us CPU/req" ratio "open w/o JIT" "prot w/o JIT" ratio
rates=(); cpus=(); works=()
for r in $(seq 1 "$rounds"); do
  # alternate which goes first, so a drift of the machine's load does not favour one side
  if (( r % 2 )); then o=$(run "$open"); p=$(run "$protected"); else p=$(run "$protected"); o=$(run "$open"); fi
  line=$(awk -v o="$o" -v p="$p" 'BEGIN {
    split(o, a, " "); split(p, b, " ");
    ocpu = a[3] / a[2] * 1e6; pcpu = b[3] / b[2] * 1e6;
    owork = (a[3] - a[4]) / a[2] * 1e6; pwork = (b[3] - b[4]) / b[2] * 1e6;
    printf "%.0f %.0f %.4f %.1f %.1f %.4f %.1f %.1f %.4f", a[1], b[1], b[1] / a[1], ocpu, pcpu, pcpu / ocpu,
      owork, pwork, pwork / owork }')
  read -r orps prps rate ocpu pcpu cpur owork pwork workr <<<"$line"
  printf '%-6s %12s %12s %8.3f %14s %14s %8.3f %14s %14s %8.3f\n' "$r" "$orps" "$prps" "$rate" "$ocpu" "$pcpu" "$cpur" \
    "$owork" "$pwork" "$workr"
  rates+=("$rate"); cpus+=("$cpur"); works+=("$workr")
done
# median (mean of the middle two for an even count) and min-max of a list of numbers
summary() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "median %.3f (min %.3f, max %.3f, %d rounds)", m, v[1], v[NR], NR }'; }
echo "throughput protected/unprotected:          $(summary "${rates[@]}")   goal >= 0.97"
echo "server CPU per request protected/unprotected: $(summary "${cpus[@]}")   (all threads)"
echo "  the same without the JIT compiler's threads: $(summary "${works[@]}")   goal <= 1.03"
