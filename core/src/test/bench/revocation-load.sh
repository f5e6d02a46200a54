#!/usr/bin/env bash
# The time of one revocation refresh (RevocationWatch.refresh) for many watched tickets on a
# throw-away PostgreSQL: batched reads (findAll) against one query per ticket, same run. Never
# installs anything into ~/.m2: test-support and core are built in one reactor run.
# Usage, from anywhere:
#   core/src/test/bench/revocation-load.sh [tickets=100000] [rounds=5]
# BENCH_MVN_FLAGS: extra Maven flags for the build step (e.g. "-o" offline).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
# shellcheck disable=SC2086
mvn -B -q -ntp ${BENCH_MVN_FLAGS:-} -pl test-support,core test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -Xmx1g -Djava.util.logging.config.file=core/src/test/resources/logging.properties \
  -cp "core/target/test-classes:core/target/classes:test-support/target/classes:$(cat core/target/bench.cp)" \
  dev.usher.core.bench.RevocationRefreshLoad "${1:-100000}" "${2:-5}"
