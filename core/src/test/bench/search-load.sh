#!/usr/bin/env bash
# The time of sevu.search's query (issue 17 item 6) on a throw-away PostgreSQL holding many tickets
# of one account: by video (served by the video index) against the newest tickets without a
# video and the newest revoked ones, alternated in one run. Never installs anything into ~/.m2.
# Usage, from anywhere:
#   core/src/test/bench/search-load.sh [tickets=100000] [rounds=5] [calls-per-round=50]
# BENCH_MVN_FLAGS: extra Maven flags for the build step (e.g. "-o" offline).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
# shellcheck disable=SC2086
mvn -B -q -ntp ${BENCH_MVN_FLAGS:-} -pl test-support,core test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -Xmx1g -Djava.util.logging.config.file=core/src/test/resources/logging.properties \
  -cp "core/target/test-classes:core/target/classes:test-support/target/classes:$(cat core/target/bench.cp)" \
  dev.usher.core.bench.SearchLoad "${1:-100000}" "${2:-5}" "${3:-50}"
