"""Which extra specs a flavor may be given from microversion 2.86, as Nova's extra-spec
validators judge them, for the namespaces whose every key is known here: `hw`, `hw_rng`,
`hw_video` and `quota`. In those an unknown key is refused; a key of any other namespace, or of
none, is taken as it is (Nova knows more namespaces, whose keys are free here).
"""

from __future__ import annotations

import dataclasses
import re

from pocketstack.cloud.errors import BadRequest

# Nova's CPU mask, written so that no string makes it backtrack: a value is matched in linear
# time (the same strings as Nova's pattern).
_CPU_MASK = r"\^?\d+(?:-\d+|,\^?\d+)*"
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


@dataclasses.dataclass(frozen=True)
class _Rule:
    # "bool", "int" or "str".
    kind: str
    low: int | None = None
    high: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] = ()


_BOOL = _Rule("bool")
_TEXT = _Rule("str")
_COUNT = _Rule("int", low=1)
_AMOUNT = _Rule("int", low=0)
_INT = _Rule("int")


def _one_of(*choices: str) -> _Rule:
    return _Rule("str", choices=choices)


def _shaped(pattern: str) -> _Rule:
    return _Rule("str", pattern=pattern)


_HW: dict[str, _Rule] = {
    "cpu_realtime": _BOOL,
    "cpu_realtime_mask": _shaped(_CPU_MASK),
    "hide_hypervisor_id": _BOOL,
    "cpu_policy": _one_of("dedicated", "shared", "mixed"),
    "cpu_thread_policy": _one_of("prefer", "isolate", "require"),
    "emulator_threads_policy": _one_of("isolate", "share"),
    "cpu_dedicated_mask": _shaped(_CPU_MASK),
    "mem_page_size": _shaped(r"(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)"),
    "locked_memory": _BOOL,
    "numa_nodes": _COUNT,
    r"numa_cpus\.\d+": _shaped(_CPU_MASK),
    r"numa_mem\.\d+": _COUNT,
    "pci_numa_affinity_policy": _one_of("required", "preferred", "legacy", "socket"),
    "cpu_sockets": _COUNT,
    "cpu_cores": _COUNT,
    "cpu_threads": _COUNT,
    "cpu_max_sockets": _COUNT,
    "cpu_max_cores": _COUNT,
    "cpu_max_threads": _COUNT,
    "boot_menu": _BOOL,
    "vif_multiqueue_enabled": _BOOL,
    "mem_encryption": _BOOL,
    "mem_encryption_model": _one_of("amd-sev", "amd-sev-es", "amd-sev-snp"),
    "pmem": _shaped(r"[a-zA-Z0-9_]+(?:,[a-zA-Z0-9_]+)*,?"),
    "pmu": _BOOL,
    "serial_port_count": _AMOUNT,
    "tpm_model": _one_of("tpm-tis", "tpm-crb"),
    "tpm_version": _one_of("1.2", "2.0"),
    "tpm_secret_security": _one_of("user", "host", "deployment"),
    "watchdog_action": _one_of("none", "pause", "poweroff", "reset", "disabled"),
    "viommu_model": _one_of("intel", "smmuv3", "virtio", "auto"),
    "virtio_packed_ring": _BOOL,
    # Their values are Nova's device models, which change with its releases: free here.
    "sound_model": _TEXT,
    "usb_model": _TEXT,
    "redirected_usb_ports": _Rule("int", low=0, high=15),
    "ephemeral_encryption": _BOOL,
    "ephemeral_encryption_format": _TEXT,
}


def _quota_rules() -> dict[str, _Rule]:
    rules: dict[str, _Rule] = {}
    # VMware's, without bounds.
    for resource in ("cpu", "memory", "disk_io", "vif"):
        rules[f"{resource}_limit"] = _INT
        rules[f"{resource}_reservation"] = _INT
        rules[f"{resource}_shares_level"] = _TEXT
        rules[f"{resource}_shares_share"] = _INT
    # libvirt's.
    for key in ("shares", "period", "quota"):
        rules[f"cpu_{key}"] = _AMOUNT
    for stat in ("read", "write", "total"):
        for metric in ("bytes", "iops"):
            rules[f"disk_{stat}_{metric}_sec"] = _AMOUNT
    for way in ("inbound", "outbound"):
        for metric in ("average", "peak", "burst"):
            rules[f"vif_{way}_{metric}"] = _AMOUNT
    return rules


_NAMESPACES: dict[str, dict[str, _Rule]] = {
    "hw": _HW,
    "hw_rng": {"allowed": _BOOL, "rate_bytes": _AMOUNT, "rate_period": _AMOUNT},
    "hw_video": {"ram_max_mb": _AMOUNT},
    "quota": _quota_rules(),
}


def _failed(reason: str) -> BadRequest:
    return BadRequest(f"Validation failed; {reason}.")


def _rule_for(name: str) -> _Rule | None:
    namespace, _, key = name.partition(":")
    rules = _NAMESPACES[namespace]
    rule = rules.get(key)
    if rule is not None:
        return rule
    for key_pattern, candidate in rules.items():
        if re.fullmatch(key_pattern, key):
            return candidate
    return None


def _check_int(rule: _Rule, value: str) -> None:
    try:
        # As Nova reads it: int() takes spaces, a sign and underscores.
        number = int(value)
    except ValueError:
        raise _failed(f"'{value}' is not a valid integer value") from None
    if rule.high is not None and number > rule.high:
        raise _failed(f"'{number}' is greater than the max value of '{rule.high}'")
    if rule.low is not None and number < rule.low:
        raise _failed(f"'{number}' is less than the min value of '{rule.low}'")


def check_extra_spec(name: str, value: str) -> None:
    """Refuses (400) a spec of a known namespace that Nova's validators would refuse."""
    if ":" not in name or name.partition(":")[0] not in _NAMESPACES:
        return
    rule = _rule_for(name)
    if rule is None:
        raise _failed(f"extra spec '{name}' does not appear to be a valid extra spec")
    if rule.kind == "int":
        _check_int(rule, value)
    elif rule.kind == "bool":
        if value.strip().lower() not in _TRUE | _FALSE:
            raise _failed(f"'{value}' is not a valid boolean-like value")
    elif rule.pattern is not None:
        if re.fullmatch(rule.pattern, value) is None:
            raise _failed(f"'{value}' is not of the format '{rule.pattern}'")
    elif rule.choices and value not in rule.choices:
        raise _failed(f"'{value}' is not one of: {', '.join(rule.choices)}")
