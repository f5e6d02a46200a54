#!/usr/bin/env bash
# Entry decisions per second of the JDBC ticket repository on a throw-away PostgreSQL (started as
# the postgres user, default durable settings), with p50 and p99 latency. Builds test-support and
# core in one reactor run, so the classpath names their target directories: nothing is installed
# into ~/.m2. Usage, from anywhere:
#   core/src/test/bench/jdbc-load.sh [seconds=10] [clients=32] [jdbc-url]
# USHER_BENCH_PG_SETTINGS="synchronous_commit=off" passes -c settings to the throw-away server;
# USHER_BENCH_JAVA_OPTS adds JVM options (e.g. -XX:StartFlightRecording=...).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
mvn -B -q -ntp -o -pl test-support,core test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
cd core
# shellcheck disable=SC2086 # the options are words
java -Xmx1g ${USHER_BENCH_JAVA_OPTS:-} -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.cp)" \
  dev.usher.core.bench.JdbcDecisionLoad "${1:-10}" "${2:-32}" ${3:+"$3"}
