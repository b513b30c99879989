#!/usr/bin/env bash
# The crash test, long form: a mixed load against one process on SQLite and two processes on
# PostgreSQL, `kill -9` of a random process ${1:-30} times (restarted each time), then the check
# against the load generator's record. Prints one summary line per database.
#   scripts/crash.sh [kills]
# The test suite runs the same tests with 10 kills (PostgreSQL half only with
# PAY_TEST_POSTGRES_URL set).
set -euo pipefail
cd "$(dirname "$0")/.."

PAY_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
export PAY_TEST_POSTGRES_URL
export PAY_REQUIRE_POSTGRES=1
export PAY_CRASH_KILLS=${1:-30}

cargo test -p pay-backend --test api crash -- --nocapture --test-threads=1
