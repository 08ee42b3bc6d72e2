"""The Images page and its upload form: the image record made by the image API, its data handed
to that API's `PUT .../file` as the browser's form streams it (the served cloud's front door has
spooled the form to disk first, as it spools the API's own uploads; frontdoor.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from falcon.media.multipart import BodyPart

from pocketstack.cloud.dashboard.calls import ServiceError, segment
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import REFUSED_FORM, Page, redirect

IMAGE = "/image"
IMAGE_PAGE = 50
# As Glance's api-ref lists them; the image API has the last word on each value.
DISK_FORMATS = ("qcow2", "raw", "iso", "vmdk", "vhd", "vhdx", "vdi", "ami", "ari", "aki", "ploop")
CONTAINER_FORMATS = ("bare", "ovf", "ova", "docker", "ami", "ari", "aki", "compressed")
VISIBILITIES = ("private", "shared", "community", "public")
# The form's text fields, read into memory before the file: no more of them, nor longer.
TEXT_FIELDS = 12
TEXT_LIMIT = 4096
FILE_FIELD = "file"


class Images(Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        query = {"limit": str(IMAGE_PAGE), "sort_key": "name", "sort_dir": "asc"}
        marker = req.get_param("marker")
        if marker:
            query["marker"] = marker
        body = self.call(session, "GET", IMAGE, "/v2/images", query=query)
        images = body.get("images", [])
        next_url = ""
        if body.get("next") and images:
            next_url = f"{req.root_path}/project/images?marker={images[-1]['id']}"
        self.render(req, resp, "images.html", {"title": "Images", "nav": "images",
                                               "images": images, "next_url": next_url},
                    session=session)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ImageForm:
    name: str = ""
    disk_format: str = "qcow2"
    container_format: str = "bare"
    visibility: str = "private"
    min_disk: str = "0"
    min_ram: str = "0"

    @classmethod
    def posted(cls, fields: dict[str, str]) -> ImageForm:
        default = cls()
        return cls(name=fields.get("name", "").strip(),
                   disk_format=fields.get("disk_format", default.disk_format),
                   container_format=fields.get("container_format", default.container_format),
                   visibility=fields.get("visibility", default.visibility),
                   min_disk=fields.get("min_disk", "").strip() or "0",
                   min_ram=fields.get("min_ram", "").strip() or "0")  # fmt: skip

    def request(self, file_name: str) -> dict[str, Any]:
        """The image API's create body; ValueError with the reason for a number that is not."""
        numbers = {}
        for label, key, text in (("Minimum Disk", "min_disk", self.min_disk),
                                 ("Minimum RAM", "min_ram", self.min_ram)):  # fmt: skip
            try:
                numbers[key] = int(text)
            except ValueError:
                raise ValueError(f"{label} must be a whole number.") from None
        return {"name": self.name or file_name, "disk_format": self.disk_format,
                "container_format": self.container_format, "visibility": self.visibility,
                **numbers}  # fmt: skip


class ImageCreate(Page):
    def _page(self, req: falcon.Request, resp: falcon.Response, session: Session,
              form: ImageForm, *, error: str | None = None, status: int = 200) -> None:  # fmt: skip
        self.render(req, resp, "image_create.html", {
            "title": "Create Image", "nav": "images", "form": form, "error": error,
            "disk_formats": DISK_FORMATS, "container_formats": CONTAINER_FORMATS,
            "visibilities": VISIBILITIES,
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._page(req, resp, self.session(req), ImageForm())

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        if req.content_type is None or not req.content_type.startswith("multipart/form-data"):
            raise falcon.HTTPUnsupportedMediaType(
                title="The image form is sent as multipart/form-data.")  # fmt: skip
        fields: dict[str, str] = {}
        for part in req.get_media():
            if part.name == FILE_FIELD:
                # The browser sends fields in the form's order: the file comes last, so the
                # CSRF token is checked before any of the data is read.
                if not session.csrf_ok(fields.get("csrf_token")):
                    raise falcon.HTTPForbidden(title=REFUSED_FORM)
                self._upload(req, resp, session, ImageForm.posted(fields), part)
                return
            if len(fields) >= TEXT_FIELDS:
                raise falcon.HTTPBadRequest(title="The form has too many fields.")
            text = part.get_text()
            if text is None or len(text) > TEXT_LIMIT:
                raise falcon.HTTPBadRequest(title=f"The form's field {part.name} is not valid.")
            fields[part.name or ""] = text
        if not session.csrf_ok(fields.get("csrf_token")):
            raise falcon.HTTPForbidden(title=REFUSED_FORM)
        self._page(req, resp, session, ImageForm.posted(fields),
                   error="Choose the image file to upload.", status=400)  # fmt: skip

    def _upload(self, req: falcon.Request, resp: falcon.Response, session: Session,
                form: ImageForm, part: BodyPart) -> None:  # fmt: skip
        file_name = (part.secure_filename if part.filename else "") or ""
        if not file_name:
            self._page(req, resp, session, form, error="Choose the image file to upload.",
                       status=400)  # fmt: skip
            return
        try:
            wanted = form.request(file_name)
        except ValueError as bad:
            self._page(req, resp, session, form, error=str(bad), status=400)
            return
        try:
            image = self.call(session, "POST", IMAGE, "/v2/images", body=wanted)
        except ServiceError as refused:
            if refused.answer.status == 401:
                raise
            self._page(req, resp, session, form, error=str(refused),
                       status=refused.answer.status)  # fmt: skip
            return
        path = f"/v2/images/{segment(image['id'])}/file"
        answer = self.services.call("PUT", IMAGE, path, token=session.token, stream=part.stream)
        if not answer.ok:
            # An image with no data is no use to the user who wanted one: it goes with the
            # reason the data was refused (too large, over quota).
            self.services.call("DELETE", IMAGE, f"/v2/images/{segment(image['id'])}",
                               token=session.token)  # fmt: skip
            if answer.status == 401:
                raise ServiceError(answer)
            self._page(req, resp, session, form, error=answer.message(), status=answer.status)
            return
        redirect(req, "/project/images")
