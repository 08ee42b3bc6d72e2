#!/bin/sh
# One entry point for the benchmark: bench/run.sh [--quick] [...]; see `python -m bench --help`.
set -eu
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ]; then
    exec .venv/bin/python -m bench "$@"
fi
exec python3 -m bench "$@"
