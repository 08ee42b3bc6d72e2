from __future__ import annotations

from tests.unit.cloud.identity.conftest import IDENTITY, Client


def test_root_is_300_with_location_and_both_versions(client: Client) -> None:
    result = client.get("/")
    assert result.status_code == 300
    assert result.headers["Location"] == f"{IDENTITY}/v3/"
    values = result.json["versions"]["values"]
    assert [v["id"] for v in values] == ["v3.14", "v2.0"]
    assert values[0]["links"] == [{"rel": "self", "href": f"{IDENTITY}/v3/"}]
    assert values[0]["media-types"] == [
        {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
    ]
    assert result.headers["x-openstack-request-id"].startswith("req-")


def test_v3_document(client: Client) -> None:
    for path in ("/v3", "/v3/"):
        result = client.get(path)
        assert result.status_code == 200
        version = result.json["version"]
        assert version["id"] == "v3.14"
        assert version["status"] == "stable"
        assert version["updated"] == "2020-04-07T00:00:00Z"
        assert version["links"][0]["href"] == f"{IDENTITY}/v3/"


def test_v2_document(client: Client) -> None:
    for path in ("/v2.0", "/v2.0/"):
        result = client.get(path)
        assert result.status_code == 200
        version = result.json["version"]
        assert version["id"] == "v2.0"
        assert version["status"] == "deprecated"
        rels = {link["rel"]: link for link in version["links"]}
        assert rels["self"]["href"] == f"{IDENTITY}/v2.0/"
        assert rels["describedby"]["type"] == "text/html"
        assert version["media-types"][0]["type"] == ("application/vnd.openstack.identity-v2.0+json")


def test_links_follow_the_request_host(client: Client) -> None:
    result = client.get("/v3", headers={"Host": "other.example:5000"})
    assert result.json["version"]["links"][0]["href"] == "http://other.example:5000/identity/v3/"
