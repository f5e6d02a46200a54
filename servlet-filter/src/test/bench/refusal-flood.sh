#!/usr/bin/env bash
# Logs under attack (issue 17 item 7): wrk floods one Jetty with refused requests (a child whose
# credential has a wrong MAC, and an entry with a wrong pass) and the server's log is counted
# afterwards: lines and bytes written per refused request. Before the bounded refusal log, every
# refused child wrote an INFO line (millions of lines in a minute). Loopback only, bounded in time.
# Usage, from the repository root; nothing needs to be installed, the reactor's target/ dirs are used:
#   servlet-filter/src/test/bench/refusal-flood.sh [seconds=30] [connections=32]
# Environment: BENCH_MVN_FLAGS (e.g. "-o"), BENCH_SKIP_BUILD=1 (reuse servlet-filter/target/bench.cp)
set -euo pipefail
cd "$(dirname "$0")/../../../.."
secs=${1:-30}; conns=${2:-32}
command -v wrk >/dev/null || { echo "wrk is missing: run .ci/install-test-tools" >&2; exit 1; }
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  # shellcheck disable=SC2086
  mvn -B -q -ntp ${BENCH_MVN_FLAGS:-} -pl servlet-filter -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
fi
cp="servlet-filter/target/test-classes:servlet-filter/target/classes:$(cat servlet-filter/target/bench.cp)"
out=$(mktemp)
java -Xmx512m -cp "$cp" dev.usher.servlet.LoadTestServer 188000 >"$out" 2>"$out.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out" "$out.err"' EXIT
for _ in $(seq 1 150); do grep -q '^open ' "$out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.2; done
protected=$(awk '/^protected /{print $2}' "$out")
[ -n "$protected" ] || { echo "the server did not start:" >&2; tail -5 "$out.err" >&2; exit 1; }
# a wrong MAC: the credential's last character changed (still canonical base64url of 16 bytes? not
# necessarily: either way a refusal, MALFORMED or BAD_SIGNATURE, 403 without a byte of media)
last=${protected: -1}; [ "$last" = A ] && swap=Q || swap=A
badchild="${protected%?}$swap"
base=${protected%%/media/*}
badentry="$base/media/live/show/index.m3u8?key=nosuchticket&pass=wrong"
sleep 1
# counted from here: the first refusal of each kind is written at once, the rest at a bounded rate
before_lines=$(wc -l <"$out.err"); before_bytes=$(wc -c <"$out.err")
code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
[ "$(code "$badchild")" = 403 ] && [ "$(code "$badentry")" = 403 ] || { echo "the flood URLs are not refused with 403" >&2; exit 1; }
flood() { wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s "$1" | awk '/ requests in /{print $1}'; }
n1=$(flood "$badchild"); n2=$(flood "$badentry")
sleep 1
lines=$(( $(wc -l <"$out.err") - before_lines )); bytes=$(( $(wc -c <"$out.err") - before_bytes ))
total=$(( n1 + n2 + 2 ))
echo "refused requests: $total ($n1 children with a wrong credential, $n2 entries with an unknown key), $((2 * secs)) s"
echo "log written meanwhile: $lines lines, $bytes bytes; per 1,000 refused requests: $(awk -v l="$lines" -v t="$total" 'BEGIN{printf "%.3f", l * 1000 / t}') lines"
echo "the lines:"; tail -n "$lines" "$out.err" | cut -c1-200 | sed 's/^/  /'
