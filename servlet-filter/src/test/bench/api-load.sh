#!/usr/bin/env bash
# Throughput of signed sevu.request calls over HTTP (loopback, in-memory repository, bounded in
# time). Usage, from the repository root after `mvn -B -ntp install -DskipTests`:
#   servlet-filter/src/test/bench/api-load.sh [seconds=10] [threads=16]
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -Xmx512m -Djava.util.logging.config.file=/dev/null -cp "target/test-classes:target/classes:$(cat target/bench.cp)" \
  dev.usher.servlet.ApiLoadGenerator "${1:-10}" "${2:-16}" 2>/dev/null
