"""The query string of GET /servers[/detail], byte for byte what novaclient builds."""

from __future__ import annotations

import pytest

from pocketstack.client.compute.servers import build_query


def test_nothing_to_send_means_no_question_mark() -> None:
    assert build_query() == ""
    assert build_query(search_opts={"name": None, "all_tenants": 0, "deleted": False}) == ""


def test_keys_are_sorted_and_values_quote_plus_encoded() -> None:
    query = build_query(
        search_opts={
            "status": "ACTIVE",
            "changes-since": "2016-03-04T06:27:59Z",
            "name": "web server",
            "tags": "a,b",
        }
    )
    assert query == (
        "?changes-since=2016-03-04T06%3A27%3A59Z&name=web+server&status=ACTIVE&tags=a%2Cb"
    )


def test_booleans_and_ints_as_python_prints_them() -> None:
    assert build_query(search_opts={"all_tenants": 1, "deleted": True}) == (
        "?all_tenants=1&deleted=True"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "?config_drive=True"), (False, "?config_drive=False"), (None, "")],
)
def test_config_drive_is_sent_whenever_it_is_not_none(value: bool | None, expected: str) -> None:
    assert build_query(search_opts={"config_drive": value}) == expected


def test_locked_false_is_kept() -> None:
    assert build_query(search_opts={"locked": False}) == "?locked=False"
    assert build_query(search_opts={"locked": "false"}) == "?locked=false"


def test_sort_dirs_sort_before_sort_keys_and_keep_their_order() -> None:
    query = build_query(
        search_opts={"name": "x"},
        marker="abc",
        limit=5,
        sort_keys=["display_name", "created_at"],
        sort_dirs=["asc", "desc"],
    )
    assert query == (
        "?limit=5&marker=abc&name=x"
        "&sort_dir=asc&sort_dir=desc&sort_key=display_name&sort_key=created_at"
    )


def test_limit_minus_one_is_not_sent() -> None:
    assert build_query(limit=-1) == ""
    assert build_query(limit=0) == ""
