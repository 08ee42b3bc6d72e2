"""Metering labels and their rules declared (Neutron's metering extension, with
metering_source_and_destination_filters): list, create, show and delete of each, under
`/v2.0/metering/`. Neither is ever updated.

Policy (neutron/conf/policies/metering.py): ADMIN_OR_PROJECT_MANAGER to create or delete,
ADMIN_OR_PROJECT_READER to read; both depend on the label's project, which the responders check.
"""

from __future__ import annotations

import dataclasses

from pocketstack.cloud.api.operation import JSON, Operation, Rule
from pocketstack.cloud.api.shapes import BOOL, NSTR, STR, obj
from pocketstack.cloud.network import metering_attributes
from pocketstack.cloud.network.api.common import crud


def schemas() -> dict[str, JSON]:
    label = {"id": STR, "name": STR, "description": STR, "tenant_id": STR, "project_id": STR,
             "shared": BOOL}  # fmt: skip
    rule = {"id": STR, "metering_label_id": STR, "direction": {"enum": ["ingress", "egress"]},
            "excluded": BOOL, "remote_ip_prefix": NSTR, "source_ip_prefix": NSTR,
            "destination_ip_prefix": NSTR}  # fmt: skip
    return {
        "MeteringLabel": obj(label, closed=True),
        "MeteringLabelFields": obj(label, required=(), closed=True),
        "MeteringLabelRule": obj(rule, closed=True),
        "MeteringLabelRuleFields": obj(rule, required=(), closed=True),
    }


def _under_metering(operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
    # Neutron serves both collections under the extension's own path prefix.
    return tuple(dataclasses.replace(op, path=op.path.replace("/v2.0/", "/v2.0/metering/", 1))
                 for op in operations)  # fmt: skip


def operations() -> tuple[Operation, ...]:
    def rules(name: str) -> dict[str, Rule]:
        return {"get": Rule(f"get_{name}"), "create": Rule(f"create_{name}"),
                "delete": Rule(f"delete_{name}")}  # fmt: skip

    return _under_metering((
        *crud("metering_label", dict(metering_attributes.LABEL), summary="metering label",
              rules=rules("metering_label")),
        *crud("metering_label_rule", dict(metering_attributes.RULE),
              summary="metering label rule", rules=rules("metering_label_rule")),
    ))  # fmt: skip
