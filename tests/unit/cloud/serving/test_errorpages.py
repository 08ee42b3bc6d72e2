"""The front end's own answers take the error shape of the service the request's path names."""

from __future__ import annotations

import json

import pytest

from pocketstack.cloud.serving.errorpages import error_body


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/identity/v3/auth/tokens", {"error": {"code": 413, "title": "Request Entity Too Large",
                                                "message": "too big"}}),
        ("/compute/v2.1/servers?name=x", {"overLimit": {"code": 413, "message": "too big"}}),
        ("http://cloud.example.com/compute/v2.1/servers",
         {"overLimit": {"code": 413, "message": "too big"}}),
        ("/image/v2/images", {"code": "413 Request Entity Too Large",
                              "title": "Request Entity Too Large", "message": "too big"}),
        ("/imagery", {"error": {"code": 413, "title": "Request Entity Too Large",
                                "message": "too big"}}),
    ],
)  # fmt: skip
def test_each_prefix_gets_its_services_shape(target: str, expected: object) -> None:
    assert json.loads(error_body(target, 413, "too big")) == expected


def test_a_status_nova_has_no_fault_name_for_is_a_compute_fault() -> None:
    assert json.loads(error_body("/compute/v2.1/servers", 408, "slow")) == {
        "computeFault": {"code": 408, "message": "slow"}
    }
