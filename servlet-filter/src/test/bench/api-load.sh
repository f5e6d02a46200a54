#!/usr/bin/env bash
# Throughput of signed sevu.request calls over HTTP (loopback, in-memory repository, bounded in
# time) against the container's own floor in the same run: the same client posting the same bodies
# to a servlet of the same Jetty that only reads the form and answers a fixed JSON. Prints
# Usher / floor per round and its median and spread. Nothing is installed: the reactor builds
# test-support, core and servlet-filter into their target/ dirs. Usage, from anywhere:
#   servlet-filter/src/test/bench/api-load.sh [seconds=10] [threads=16] [rounds=4]
# BENCH_MVN_FLAGS: extra Maven flags for the build step (e.g. "-o" offline).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
# shellcheck disable=SC2086
mvn -B -q -ntp ${BENCH_MVN_FLAGS:-} -pl servlet-filter -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -Xmx512m -Djava.util.logging.config.file=/dev/null \
  -cp "servlet-filter/target/test-classes:servlet-filter/target/classes:$(cat servlet-filter/target/bench.cp)" \
  dev.usher.servlet.ApiLoadGenerator "${1:-10}" "${2:-16}" "${3:-4}" 2>/dev/null
