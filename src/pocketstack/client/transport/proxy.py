"""Proxies named by the environment, read as requests reads them (urllib's
getproxies_environment, then requests' select_proxy and should_bypass_proxies).

- `http_proxy`, `https_proxy`, `all_proxy`, in any case: a lower-case variable wins over its
  upper-case twin, and an empty lower-case one unsets it. `HTTP_PROXY` is ignored when
  `REQUEST_METHOD` is set: in a CGI program it is a client's `Proxy:` header ("httpoxy").
- A proxy URL without a scheme is `http://`; only `http://` proxies are spoken to. Credentials
  in it (`http://user:pass@proxy:3128`, percent-encoded) become `Proxy-Authorization: Basic`,
  sent to the proxy only, and every message shows the URL as `http://***@proxy:3128`.
- `no_proxy`: a comma list; `*` matches every host; `name` and `.name` match that host and the
  hosts under it; `name:port` only that port; an IP address matches itself (IPv6 in any
  spelling, `[::1]:port` with a port), and `10.0.0.0/8` or `fd00::/8` the addresses in it.
  requests matches `example.com` against `badexample.com` (a plain suffix test); we match
  whole labels only, as curl does.

Plain http goes to the proxy with the whole URL as the request target; https goes through a
CONNECT tunnel, inside which TLS runs to the origin as it would without a proxy.
"""

from __future__ import annotations

import binascii

from pocketstack.client.transport.connection import Connection, Unanswered, Unsent, split_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class TunnelRefused(ConnectionError):
    """The proxy did not open the tunnel: an OSError, so it is reported as any failure to
    connect is (with the proxy named, never its credentials)."""


def _ascii(host: str) -> str:
    return host if host.isascii() else host.encode("idna").decode("ascii")


class Proxy:
    """One proxy URL, parsed; `shown` is the only form of it that may be printed."""

    __slots__ = ("authorization", "host", "pool_id", "port", "shown")

    def __init__(self, url: str) -> None:
        text = url.strip()
        if "://" not in text:
            text = "http://" + text
        scheme, _, rest = text.partition("://")
        # Credentials first, by the last `@`: a password may hold `/`, `?` or `#` unencoded,
        # and no part of it may reach `shown`.
        userinfo, at, hostport = rest.rpartition("@")
        for mark in "/?#":
            hostport = hostport.partition(mark)[0]
        self.shown = f"{scheme}://{'***@' if at else ''}{hostport}"
        if scheme.lower() != "http":
            raise ValueError(
                f"the proxy {self.shown} is not an http:// URL (only http:// proxies are supported)"
            )
        parts = split_url(f"http://{hostport}/")
        if parts is None:
            raise ValueError(f"the proxy {self.shown} is not a valid URL")
        _, self.host, self.port, _, _ = parts
        self.authorization: str | None = None
        user, _, password = userinfo.partition(":")
        if user:
            from urllib.parse import unquote

            credentials = f"{unquote(user)}:{unquote(password)}"
            try:
                raw = credentials.encode("latin-1")  # as requests' _basic_auth_str
            except UnicodeEncodeError:
                raw = credentials.encode("utf-8")
            self.authorization = "Basic " + binascii.b2a_base64(raw, newline=False).decode()
        # In the pool key only, never printed: connections opened with other credentials differ.
        self.pool_id = f"{self.host}:{self.port} {self.authorization or ''}"

    def __repr__(self) -> str:
        return f"Proxy({self.shown!r})"

    def describe(self, *, scheme: str, host: str, port: int) -> str:
        how = "CONNECT tunnel" if scheme == "https" else "absolute-form request"
        return f"PROXY: {scheme}://{_authority(host, port)} through {self.shown} ({how})"

    def open_tunnel(self, conn: Connection, *, host: str, port: int) -> None:
        """Ask the proxy behind `conn` for a tunnel to host:port; its socket is then the
        tunnel's (TLS to the origin runs over it)."""
        authority = _authority(_ascii(host), port)
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        if self.authorization:
            lines.append(f"Proxy-Authorization: {self.authorization}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
        try:
            status, reason, _, _, _ = conn.exchange(method="CONNECT", head=head, body=None)
        except (Unsent, Unanswered) as exc:
            # Not the origin's doing, and nothing of the request has left yet.
            raise TunnelRefused(
                f"it closed the connection without answering CONNECT: {exc}"
            ) from exc
        if not 200 <= status < 300:
            raise TunnelRefused(f"it answered CONNECT {authority} with {status} {reason}".rstrip())
        conn.detach()


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ProxySettings:
    """The proxy variables of one environment; `for_url` picks the proxy for an origin."""

    __slots__ = ("_parsed", "no_proxy", "urls")

    def __init__(self, *, urls: Mapping[str, str], no_proxy: str = "") -> None:
        self.urls = dict(urls)
        self.no_proxy = no_proxy
        self._parsed: dict[str, Proxy] = {}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProxySettings:
        found: dict[str, str] = {}
        for name, value in environ.items():
            if value and name[-6:].lower() == "_proxy":
                found[name[:-6].lower()] = value
        if "REQUEST_METHOD" in environ:
            found.pop("http", None)
        for name, value in environ.items():
            if name[-6:] == "_proxy":
                if value:
                    found[name[:-6].lower()] = value
                else:
                    found.pop(name[:-6].lower(), None)
        no_proxy = found.pop("no", "")
        urls: dict[str, str] = {k: found[k] for k in ("http", "https", "all") if k in found}
        return cls(urls=urls, no_proxy=no_proxy)

    @property
    def any(self) -> bool:
        return bool(self.urls)

    def for_url(self, *, scheme: str, host: str, port: int) -> Proxy | None:
        """The proxy for scheme://host:port, or None to connect directly. ValueError (with
        the proxy's masked URL) when the setting that applies cannot be used."""
        url = self.urls.get(scheme) or self.urls.get("all")
        if not url or bypasses(self.no_proxy, host=host, port=port):
            return None
        proxy = self._parsed.get(url)
        if proxy is None:
            proxy = self._parsed[url] = Proxy(url)
        return proxy


def _is_ip(text: str) -> bool:
    if ":" in text:
        return True
    parts = text.split(".")
    return len(parts) == 4 and all(part.isascii() and part.isdigit() for part in parts)


def _split_entry(entry: str) -> tuple[str, int | None]:
    """(host or network, port) of one no_proxy entry: `name`, `name:port`, `[v6]:port`, bare
    IPv6 (its colons are no port), `net/bits`."""
    if entry.startswith("["):
        name, _, tail = entry[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    elif entry.count(":") == 1:
        name, _, port_text = entry.partition(":")
    else:
        name, port_text = entry, ""
    if port_text.isascii() and port_text.isdigit():
        return name, int(port_text)
    return (name, None) if not port_text else (entry, None)


def _address_matches(host: str, entry: str) -> bool:
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
        if "/" in entry:
            return address in ipaddress.ip_network(entry, strict=False)
        return address == ipaddress.ip_address(entry)
    except ValueError:
        return False


def bypasses(no_proxy: str, *, host: str, port: int) -> bool:
    """Whether `no_proxy` says to reach host:port directly."""
    host = host.lower().rstrip(".")
    for entry in no_proxy.replace(" ", "").lower().split(","):
        if not entry:
            continue
        if entry == "*":
            return True
        name, entry_port = _split_entry(entry)
        if entry_port is not None and entry_port != port:
            continue
        entry_is_address = "/" in name or _is_ip(name)
        if _is_ip(host) or entry_is_address:
            # ipaddress only for an address or network entry (warm path: docs/startup.md).
            if _is_ip(host) and (
                host == name or (entry_is_address and _address_matches(host, name))
            ):
                return True
            continue
        name = name.strip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False
