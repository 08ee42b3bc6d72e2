"""A subnet pool's prefixes and prefix lengths checked as Neutron's SubnetPoolReader and
SubnetPoolHelper check them, and the free prefix space of a pool found as its SubnetAllocator
finds it. Pure functions of the request and the pool's allocations.

Prefixes that overlap or adjoin are merged into the fewest CIDRs that cover them (netaddr's
IPSet.compact, which Neutron uses; `ipaddress.collapse_addresses` does the same).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Sequence

from pocketstack.cloud.network import faults
from pocketstack.cloud.network.values import IPNetwork

# Per IP version: the longest prefix, the shortest a pool allows by default, and the prefix
# length of one unit of a pool's default_quota.
MAX_PREFIXLEN = {4: 32, 6: 128}
DEFAULT_MIN_PREFIXLEN = {4: 8, 6: 64}
QUOTA_UNIT = {4: 32, 6: 64}


@dataclasses.dataclass(frozen=True)
class Bounds:
    min_prefixlen: int
    max_prefixlen: int
    default_prefixlen: int


def merged(prefixes: Iterable[IPNetwork]) -> list[IPNetwork]:
    """The prefixes compacted, in address order; a mix of IPv4 and IPv6 refused, as an empty
    list is."""
    given = list(prefixes)
    if not given:
        raise faults.bad_request("Empty subnet pool prefix list.", kind="EmptySubnetPoolPrefixList")
    if len({p.version for p in given}) > 1:
        raise faults.bad_request("Cannot mix IPv4 and IPv6 prefixes in a subnet pool.",
                                 kind="PrefixVersionMismatch")  # fmt: skip
    return collapse(given)


def collapse(nets: Iterable[IPNetwork]) -> list[IPNetwork]:
    """The fewest CIDRs covering `nets`, IPv4 then IPv6, each in address order."""
    given = list(nets)
    v4 = [n for n in given if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in given if isinstance(n, ipaddress.IPv6Network)]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def _illegal(kind: str, prefixlen: int, base_kind: str, base: int) -> faults.NeutronError:
    return faults.bad_request(
        f"Illegal prefix bounds: {kind}={prefixlen}, {base_kind}={base}.",
        kind="IllegalSubnetPoolPrefixBounds",
    )


def bounds(ip_version: int, min_len: int | None, max_len: int | None,
           default_len: int | None) -> Bounds:  # fmt: skip
    """The pool's prefix lengths, each defaulted as Neutron defaults it (the default length to
    the minimum), and checked against each other and the IP version."""
    low = DEFAULT_MIN_PREFIXLEN[ip_version] if min_len is None else min_len
    high = MAX_PREFIXLEN[ip_version] if max_len is None else max_len
    default = low if default_len is None else default_len
    if low > high:
        raise _illegal("min_prefixlen", low, "max_prefixlen", high)
    if high > MAX_PREFIXLEN[ip_version]:
        raise _illegal("max_prefixlen", high, "ip_version_max", MAX_PREFIXLEN[ip_version])
    if default < low:
        raise _illegal("default_prefixlen", default, "min_prefixlen", low)
    if default > high:
        raise _illegal("default_prefixlen", default, "max_prefixlen", high)
    return Bounds(low, high, default)


def _covers(outer: Sequence[IPNetwork], inner: Sequence[IPNetwork]) -> bool:
    return all(any(i.version == o.version and i.subnet_of(o) for o in outer)  # type: ignore[arg-type]
               for i in inner)  # fmt: skip


def grown(old: Sequence[IPNetwork], new: Iterable[IPNetwork]) -> list[IPNetwork]:
    """An update's prefixes: every old address still in them (a pool never shrinks by an
    update), merged."""
    wanted = merged(new)
    # Merged prefixes are disjoint, so each old one is inside a single new one or not covered.
    if not _covers(wanted, old):
        raise illegal_update("Existing prefixes must be a subset of the new prefixes")
    return wanted


def illegal_update(reason: str) -> faults.NeutronError:
    return faults.bad_request(f"Illegal update to prefixes: {reason}.",
                              kind="IllegalSubnetPoolPrefixUpdate")  # fmt: skip


def removed(old: Sequence[IPNetwork], gone: Sequence[IPNetwork],
            allocated: Sequence[IPNetwork]) -> list[IPNetwork]:  # fmt: skip
    """The prefixes left once `gone` is taken out (subnetpool-prefix-ops' remove_prefixes);
    refused when any of it is allocated to a subnet."""
    if any(a.version == g.version and a.overlaps(g) for a in allocated for g in gone):
        raise illegal_update("One or more the prefixes to be removed is in use by a subnet")
    left = list(old)
    for cut in gone:
        left = _without(left, cut)
    return collapse(left)


def _without(blocks: Sequence[IPNetwork], cut: IPNetwork) -> list[IPNetwork]:
    kept: list[IPNetwork] = []
    for block in blocks:
        if block.version != cut.version or not block.overlaps(cut):
            kept.append(block)
        elif cut.subnet_of(block) and cut != block:  # type: ignore[arg-type]
            kept.extend(block.address_exclude(cut))  # type: ignore[arg-type]
        # else the cut covers the whole block: it goes.
    return kept


def free_blocks(prefixes: Sequence[IPNetwork], allocated: Iterable[IPNetwork]) -> list[IPNetwork]:
    """The pool's unallocated space as CIDRs, the smallest first (then in address order), which
    is the order Neutron's allocator tries them in: a small gap is used before a large one."""
    free = list(prefixes)
    for taken in allocated:
        free = _without(free, taken)
    return sorted(collapse(free), key=lambda b: (-b.prefixlen, int(b.network_address)))  # fmt: skip


def first_fit(free: Sequence[IPNetwork], prefixlen: int) -> IPNetwork | None:
    """The first `prefixlen` prefix of the first free block large enough."""
    for block in free:
        if prefixlen >= block.prefixlen:
            for first in block.subnets(new_prefix=prefixlen):
                return first
    return None


def is_free(free: Sequence[IPNetwork], cidr: IPNetwork) -> bool:
    return any(cidr.version == b.version and cidr.subnet_of(b) for b in free)  # type: ignore[arg-type]


def quota_units(ip_version: int, prefixlen: int) -> float:
    """How much of a pool's default_quota a prefix uses: IPv4 counted in addresses, IPv6 in /64s
    (a longer IPv6 prefix is a fraction of one)."""
    return 2.0 ** (QUOTA_UNIT[ip_version] - prefixlen)
