#!/usr/bin/env bash
# The time of one revocation refresh (RevocationWatch.refresh) for many watched tickets on a
# throw-away PostgreSQL: batched reads (findAll) against one query per ticket, same run. Never
# installs anything into ~/.m2. Usage, from anywhere:
#   core/src/test/bench/revocation-load.sh [tickets=100000] [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -Xmx1g -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.cp)" \
  dev.usher.core.bench.RevocationRefreshLoad "${1:-100000}" "${2:-5}"
