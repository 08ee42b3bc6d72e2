"""Operations declared once: an app serves exactly its declarations, the policy and microversion
range come from them, the OpenAPI document is rendered from them, and a response that disagrees
with its declaration cannot pass unnoticed."""

from __future__ import annotations

import falcon
import falcon.testing
import pytest

from pocketstack.cloud.api.enforce import Enforce, UndeclaredRoute, enforcer, mount
from pocketstack.cloud.api.operation import Operation, PublicPath, Rule, Service, Versioned
from pocketstack.cloud.api.responses import ResponseCheck
from pocketstack.cloud.api.shapes import INT, STR, json_body, obj
from pocketstack.cloud.openapi import SERVICES, build_document


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
    for service in SERVICES:
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
