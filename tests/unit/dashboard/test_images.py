"""Creating an image from the Images page: the form's fields and its file, streamed to the image
API; every refusal (the form's token, the image API's validation, the data's size) shown on the
form, with no image left behind."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import admin_token
from tests.unit.dashboard.browser import Browser, api

DATA = bytes(range(256)) * 4096 + b"tail"


def _images(app: WSGIApp, token: str) -> dict[str, dict[str, object]]:
    body = json.loads(api(app, "GET", "/image/v2/images?limit=100", token).body)
    return {image["name"]: image for image in body["images"]}


def _form(csrf: str, name: str, *, disk_format: str = "qcow2",
          data: bytes = DATA) -> list[tuple[str, str | None, bytes]]:  # fmt: skip
    return [("csrf_token", None, csrf.encode()), ("name", None, name.encode()),
            ("disk_format", None, disk_format.encode()), ("container_format", None, b"bare"),
            ("visibility", None, b"private"), ("min_disk", None, b"1"), ("min_ram", None, b""),
            ("file", "disk.qcow2", data)]  # fmt: skip


def test_an_uploaded_image_is_active_with_the_files_data(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    listing = browser.go("GET", "/dashboard/project/images")
    assert b'href="/dashboard/project/images/create"' in listing.body
    form = browser.go("GET", "/dashboard/project/images/create")
    assert b'enctype="multipart/form-data"' in form.body
    done = browser.go("POST", "/dashboard/project/images/create",
                      multipart=_form(browser.csrf(form), "uploaded"))  # fmt: skip
    assert done.status == 303
    assert done.headers["Location"] == "/dashboard/project/images"
    token = admin_token(cloud_deps)
    image = _images(app, token)["uploaded"]
    assert (image["status"], image["size"], image["min_disk"]) == ("active", len(DATA), 1)
    assert image["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    stored = api(app, "GET", f"/image/v2/images/{image['id']}/file", token)
    assert stored.body == DATA
    assert b"uploaded" in browser.go("GET", "/dashboard/project/images").body


def test_the_files_name_names_an_image_left_unnamed(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/images/create"))
    assert browser.go("POST", "/dashboard/project/images/create",
                      multipart=_form(csrf, "")).status == 303  # fmt: skip
    assert _images(app, admin_token(cloud_deps))["disk.qcow2"]["status"] == "active"


def test_a_form_without_this_sessions_token_creates_nothing(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    before = _images(app, admin_token(cloud_deps))
    refused = browser.go("POST", "/dashboard/project/images/create",
                         multipart=_form("forged", "forged"))  # fmt: skip
    assert refused.status == 403
    assert b"CSRF token" in refused.body
    assert _images(app, admin_token(cloud_deps)) == before


def test_the_image_apis_refusal_is_shown_on_the_form_again(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/images/create"))
    refused = browser.go("POST", "/dashboard/project/images/create",
                         multipart=_form(csrf, "floppy-disk", disk_format="floppy"))  # fmt: skip
    assert refused.status == 400
    assert b"floppy" in refused.body
    assert b'value="floppy-disk"' in refused.body
    no_file = [*_form(csrf, "no-file")[:-1], ("file", "", b"")]
    missing = browser.go("POST", "/dashboard/project/images/create", multipart=no_file)
    assert missing.status == 400
    assert b"Choose the image file" in missing.body
    names = _images(app, admin_token(cloud_deps))
    assert "floppy-disk" not in names
    assert "no-file" not in names


def test_data_over_the_size_cap_leaves_no_image_behind(cloud_deps: CloudDeps) -> None:
    config = dataclasses.replace(cloud_deps.config, image_size_cap=1000)
    app = create_cloud_app(dataclasses.replace(cloud_deps, config=config))
    browser = Browser(app)
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/images/create"))
    refused = browser.go("POST", "/dashboard/project/images/create",
                         multipart=_form(csrf, "too-big"))  # fmt: skip
    assert refused.status == 413
    assert b"too-big" in refused.body
    assert "too-big" not in _images(app, admin_token(cloud_deps))


def test_a_form_that_is_not_multipart_is_refused(browser: Browser) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/images/create"))
    answer = browser.go("POST", "/dashboard/project/images/create",
                        {"csrf_token": csrf, "name": "x"})  # fmt: skip
    assert answer.status == 415
