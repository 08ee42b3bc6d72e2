"""Test controls, off unless `test_controls` is set: fault rules that make matching requests
fail, slow down or drop, and a clock that moves the cloud's time forward, both through the
admin-only control API at /pocketstack/v1."""
