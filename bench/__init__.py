"""pocketstack's benchmark: the client and the cloud side by side with the upstream tools.

Run from the repository root: `python -m bench` (or `bench/run.sh`); `--quick` for a short run.
Results go to bench/results/latest.json and BENCHMARKS.md is regenerated from them.
"""
