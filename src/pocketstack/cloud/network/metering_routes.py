"""Where the metering extension's resources are mounted (Neutron's `/metering/` prefix)."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.metering import MeteringLabelItem, MeteringLabelList
from pocketstack.cloud.network.metering_rules import MeteringLabelRuleItem, MeteringLabelRuleList

_PREFIX = "/v2.0/metering"


def routes(deps: CloudDeps) -> dict[str, object]:
    return {
        f"{_PREFIX}/metering-labels": MeteringLabelList(deps),
        f"{_PREFIX}/metering-labels/{{metering_label_id}}": MeteringLabelItem(deps),
        f"{_PREFIX}/metering-label-rules": MeteringLabelRuleList(deps),
        f"{_PREFIX}/metering-label-rules/{{metering_label_rule_id}}": MeteringLabelRuleItem(deps),
    }
