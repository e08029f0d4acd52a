#!/usr/bin/env bash
# The two entry points from the README:
#   bash scripts/dev.sh start   install what is missing, build the book, start the course
#   bash scripts/dev.sh test    install what is missing, run the test suite
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
case "${1:-}" in
  start) shift; exec .venv/bin/leerplein start "$@" ;;
  test)
    shift
    set +e
    # two workers, one test file each at a time: most hub and browser tests wait on a real hub or
    # Chromium, so two files at once nearly halve the wall time (LEERPLEIN_TEST_WORKERS=0: one process)
    .venv/bin/python -m pytest -n "${LEERPLEIN_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder --durations=30 "$@"
    rc=$?
    set -e
    echo "Screenshots and browser artefacts: $(pwd)/test-artifacts"
    [ "$rc" = 5 ] && { echo "pytest collected no tests" >&2; exit 1; }
    exit "$rc" ;;
  *) echo "usage: bash scripts/dev.sh start|test" >&2; exit 2 ;;
esac
