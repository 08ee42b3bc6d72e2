"""Operations declared once: an app serves exactly its declarations, the policy and microversion
range come from them, the OpenAPI document is rendered from them, and a response that disagrees
with its declaration cannot pass unnoticed."""

from __future__ import annotations

import dataclasses
import json

import falcon
import falcon.testing
import jsonschema
import pytest

from pocketstack.cloud.api.enforce import Enforce, UndeclaredRoute, enforcer, mount
from pocketstack.cloud.api.operation import Operation, PublicPath, Rule, Service, Versioned
from pocketstack.cloud.api.requests import field_path, request_of
from pocketstack.cloud.api.responses import ResponseCheck
from pocketstack.cloud.api.shapes import INT, STR, json_body, obj
from pocketstack.cloud.openapi import build_document, services


class Widgets:
    body: object = {"widgets": [{"id": "w1", "size": 3}]}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.body


def _service(*operations: Operation) -> Service:
    return Service(
        name="widgets",
        operations=operations,
        schemas={"Widget": obj({"id": STR, "size": INT})},
        error_response=lambda code: json_body({"type": "object"}),
        public_paths=lambda route: [PublicPath(f"/widgets{route}")],
    )


LIST = Operation(
    method="GET",
    path="/widgets",
    summary="List widgets",
    policy=None,
    status=(200,),
    response=(
        Versioned(
            obj({"widgets": {"type": "array", "items": {"$ref": "#/components/schemas/Widget"}}})
        ),
    ),
)


def _app(service: Service, resource: object) -> falcon.App[falcon.Request, falcon.Response]:
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(
        middleware=[
            Enforce(
                service,
                version_of=lambda req: None,
                caller_of=lambda req: None,
                check=ResponseCheck(service.schemas),
            )
        ]
    )
    mount(app, service, {"/widgets": resource})
    return app


def test_an_app_cannot_serve_a_method_that_is_not_declared_or_miss_one_that_is() -> None:
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App()
    with pytest.raises(UndeclaredRoute, match=r"served but not declared \[\('GET', '/widgets'\)\]"):
        mount(app, _service(), {"/widgets": Widgets()})
    delete = Operation(method="DELETE", path="/widgets", summary="x", policy=None, status=(204,))
    with pytest.raises(UndeclaredRoute, match=r"declared but not served \[\('DELETE'"):
        mount(falcon.App(), _service(LIST, delete), {"/widgets": Widgets()})


def test_a_response_that_matches_its_declaration_passes_untouched() -> None:
    result = falcon.testing.simulate_get(_app(_service(LIST), Widgets()), "/widgets")
    assert result.status_code == 200
    assert result.json == Widgets.body


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"widgets": [{"id": "w1", "size": "big"}]}, "widgets/0/size: 'big' is not of type"),
        ({"things": []}, "'widgets' is a required property"),
    ],
)
def test_a_response_that_disagrees_is_answered_500_naming_the_disagreement(
    body: object, problem: str
) -> None:
    resource = Widgets()
    resource.body = body
    result = falcon.testing.simulate_get(_app(_service(LIST), resource), "/widgets")
    assert result.status_code == 500
    assert result.json["responseCheck"].startswith("GET /widgets disagrees with its declaration")
    assert problem in result.json["responseCheck"]


def test_every_declared_operation_is_in_the_document_with_its_policy_rule() -> None:
    document = build_document()
    for service in services():
        for op in service.operations:
            for public in service.public_paths(op.path):
                rendered = document["paths"][public.template][op.method.lower()]
                assert rendered["summary"] == op.summary
                if op.policy is None:
                    assert rendered["security"] == []
                else:
                    assert rendered["x-openstack-policy"] == op.policy.name
                for status in op.status:
                    assert str(status) in rendered["responses"]


def test_a_policy_check_cannot_be_declared_where_no_caller_is_known() -> None:
    def refuse(ctx: object, name: str) -> None:
        raise AssertionError("never reached")

    checked = Operation(
        method="GET", path="/widgets", summary="x", policy=Rule("widgets:list", refuse),
        status=(200,),
    )  # fmt: skip
    with pytest.raises(ValueError, match="declares policy checks but names no caller"):
        enforcer(_service(checked), check_responses=False)


@dataclasses.dataclass(frozen=True)
class WidgetOrder:
    size: int


class Orders:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        order = request_of(req, WidgetOrder)
        resp.media = {"ordered": order.size}

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        request_of(req, WidgetOrder)  # PUT declares no parse: the responder's bug


ORDER = Operation(
    method="POST", path="/widgets", summary="Order a widget", policy=None, status=(200,),
    request=(
        Versioned(obj({"size": {"type": "integer", "minimum": 1}}, required=("size",),
                      closed=True), low=(2, 1)),
    ),
    response=(Versioned(obj({"ordered": INT}, closed=True)),),
    parse=lambda body, version: WidgetOrder(size=body["size"]),
)  # fmt: skip
REPLACE = Operation(
    method="PUT", path="/widgets", summary="Replace", policy=None, status=(200,),
    request=(Versioned(obj({})),),
)  # fmt: skip


class Refused(Exception):
    pass


def _ordering_app(version: tuple[int, int] | None) -> falcon.App[falcon.Request, falcon.Response]:
    def read(req: falcon.Request) -> object:
        return json.loads(req.bounded_stream.read())

    def invalid(error: jsonschema.ValidationError) -> Exception:
        return Refused(f"{field_path(error)}: {error.message}")

    def refused(req: falcon.Request, resp: falcon.Response, ex: Exception, params: object) -> None:
        resp.status = falcon.HTTP_400
        resp.media = {"refused": str(ex)}

    service = _service(ORDER, REPLACE)
    middleware = enforcer(service, check_responses=True, version_of=lambda req: version,
                          read_body=read, invalid=invalid)  # fmt: skip
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=[middleware])
    app.add_error_handler(Refused, refused)
    mount(app, service, {"/widgets": Orders()})
    return app


def test_a_declared_request_body_is_validated_and_reaches_the_responder_typed() -> None:
    app = _ordering_app((2, 1))
    ok = falcon.testing.simulate_post(app, "/widgets", json={"size": 3})
    assert (ok.status_code, ok.json) == (200, {"ordered": 3})
    for body, refusal in [
        ({"size": 0}, "size: 0 is less than the minimum of 1"),
        ({"size": 2, "colour": "red"}, "None: Additional properties are not allowed"),
        ({}, "None: 'size' is a required property"),
    ]:
        bad = falcon.testing.simulate_post(app, "/widgets", json=body)
        assert bad.status_code == 400
        assert bad.json["refused"].startswith(refusal)


def test_a_responder_never_gets_a_body_that_was_not_validated_and_parsed() -> None:
    # Before 2.1 the operation takes no body: nothing reaches the responder, which fails loudly.
    unversioned = falcon.testing.simulate_post(_ordering_app(None), "/widgets", json={"size": "x"})
    assert unversioned.status_code == 500
    # PUT validates but declares no parse: its responder cannot have it as a WidgetOrder.
    unparsed = falcon.testing.simulate_put(_ordering_app((2, 1)), "/widgets", json={})
    assert unparsed.status_code == 500
    with pytest.raises(TypeError, match="carries NoneType, not WidgetOrder"):
        request_of(falcon.testing.create_req(), WidgetOrder)
