"""No server-side request forgery: outside development and tests, an endpoint must be https
and every address its name resolves to must be public. The check runs when an endpoint is
registered and again at each delivery, on the addresses the connection then uses: the socket
connects to an address just checked, so a name that changes its answer (DNS rebinding) cannot
lead a delivery inside."""

import ipaddress
import socket
from urllib.parse import urlsplit

from requests import Session
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_URL_LENGTH = 2000
POOL_SIZE = 32  # connections kept per host, for a job's threads
# Cloud metadata services that are not in a private or link-local range.
METADATA = {ipaddress.ip_address("100.100.100.200")}


class AddressRefused(ValueError):
    """The endpoint's address is not one a delivery may go to; `code` says why."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def local_allowed(config) -> bool:
    """WEBHOOK_ALLOW_LOCAL, which production ignores."""
    return bool(config["WEBHOOK_ALLOW_LOCAL"]) and config["APP_ENV"] != "production"


def forbidden(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified or metadata addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_multicast or not ip.is_global or ip in METADATA


def check_url(url: str, allow_local: bool) -> tuple[str, int]:
    """The host and port of a URL deliveries may use; AddressRefused if not (not resolved)."""
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused("too_long")
    if any(ord(char) < 33 or ord(char) == 127 for char in url):  # spaces, controls, NUL
        raise AddressRefused("bad_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused("bad_url") from None
    schemes = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in schemes:
        raise AddressRefused("not_https" if parts.scheme == "http" else "bad_url")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise AddressRefused("bad_url")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[tuple]:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused("unresolvable", str(error)) from None


def public_addresses(host: str, port: int) -> list[tuple]:
    """Every address the name resolves to, all public: one private address refuses them all."""
    found = resolve(host, port)
    for *_, sockaddr in found:
        if forbidden(sockaddr[0]):
            raise AddressRefused("private_address", sockaddr[0])
    return found


def check_endpoint(url: str, allow_local: bool) -> None:
    """At registration: the URL's form, and in production where its name leads."""
    host, port = check_url(url, allow_local)
    if not allow_local:
        public_addresses(host, port)


class GuardedConnection(HTTPConnection):
    """Connects only to an address it has just checked."""

    def _new_conn(self) -> socket.socket:
        last_error: OSError | None = None
        for family, kind, proto, _, sockaddr in public_addresses(self._dns_host, self.port):
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.timeout)
            try:
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise last_error or OSError("no address to connect to")


class GuardedHTTPSConnection(GuardedConnection, HTTPSConnection):
    pass


class GuardedPool(HTTPConnectionPool):
    ConnectionCls = GuardedConnection


class GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": GuardedPool, "https": GuardedHTTPSPool}


def http_session(allow_local: bool) -> Session:
    """The session deliveries use: no proxies from the environment; guarded unless local
    addresses are allowed."""
    session = Session()
    session.trust_env = False
    adapter = (HTTPAdapter if allow_local else GuardedAdapter)(pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
