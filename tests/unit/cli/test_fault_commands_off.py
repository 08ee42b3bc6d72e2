"""The test-control commands against a cloud that does not serve them: a clear refusal."""

from __future__ import annotations

from tests.unit.cli.conftest import Runner


def test_a_cloud_without_the_controls_answers_not_found(run_cli: Runner) -> None:
    refused = run_cli("fault", "list")
    assert refused.code == 1
    assert "404" in refused.err or "Not Found" in refused.err
