"""tempest against a fresh pocketstack cloud: the conformance ratchet.

`python -m tests.conformance --help` says how to run it."""
