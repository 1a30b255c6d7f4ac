"""Send one signed webhook message over HTTP, safely.

- Signed as the Standard Webhooks specification says, with the ``standardwebhooks``
  package: ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (``v1,<base64
  HMAC-SHA256 of "id.timestamp.body">``; one signature per secret in force, space
  separated, so a receiver verifies with the old or the new secret during a rotation).
- SSRF guard: the host is resolved and every address must be public, unless it is in
  WEBHOOKS_ALLOWED_PRIVATE_NETWORKS. The connection then goes to the address that was
  checked (never a second resolution that could answer differently), with the host name
  kept for the Host header and for TLS (SNI and certificate check).
- WEBHOOKS_TIMEOUT_SECONDS (10) to connect and for each read; redirects are not followed
  (a 3xx is a failed attempt: the URL should be fixed).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks import Webhook

USER_AGENT = "Smarketing-Webhooks/1.0"
# What is kept of the receiver's answer for the delivery log.
EXCERPT_CHARS = 500
MAX_READ_BYTES = 64 * 1024


class UnsafeURL(ValueError):
    """The URL cannot be used: bad scheme, unresolvable, or a refused address."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def address_allowed(address: str) -> bool:
    """Public addresses, plus those of WEBHOOKS_ALLOWED_PRIVATE_NETWORKS."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS:
        if ip in ipaddress.ip_network(network.strip(), strict=False):
            return True
    # is_global is False for private, loopback, link-local, shared (100.64/10), reserved
    # and unspecified addresses.
    return ip.is_global and not ip.is_multicast


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a webhook URL; UnsafeURL when unusable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Use an http:// or https:// URL.")
    if settings.WEBHOOKS_REQUIRE_HTTPS and parts.scheme != "https":
        raise UnsafeURL("Use an https:// URL: deliveries carry your data.")
    if parts.username or parts.password:
        raise UnsafeURL("Leave credentials out of the URL; verify the signature instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURL("The port is not a number between 1 and 65535.") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to; UnsafeURL if the name does not resolve or any of its
    addresses is private, loopback or link-local (and not explicitly allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"The host “{host}” cannot be resolved.") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    refused = [address for address in addresses if not address_allowed(address)]
    if refused or not addresses:
        raise UnsafeURL(
            f"“{host}” resolves to a private, loopback or link-local address "
            f"({', '.join(refused)}); webhooks only go to public addresses."
        )
    return addresses[0]


def url_check(url: str) -> None:
    """Raise UnsafeURL when deliveries to ``url`` would be refused."""
    _scheme, host, port, _path = url_parts(url)
    resolve_checked(host, port)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand; Host stays the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # SNI and the certificate check use the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def signature_headers(
    *, message_id: str, body: str, secrets: list[str], moment: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers for ``body``, one signature per secret."""
    signatures = " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body) for secret in secrets
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signatures,
    }


def post(url: str, *, body: str, headers: dict[str, str], timeout: float | None = None) -> Outcome:
    """POST ``body`` to ``url``; never raises for what the network or receiver does."""
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS if timeout is None else timeout
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, path = url_parts(url)
        address = resolve_checked(host, port)
    except UnsafeURL as error:
        return Outcome(None, elapsed(), error=str(error)[:300])
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        content = response.read(MAX_READ_BYTES)
        return Outcome(
            response.status,
            elapsed(),
            excerpt=content.decode("utf-8", errors="replace")[:EXCERPT_CHARS],
        )
    except TimeoutError:
        return Outcome(None, elapsed(), error=f"No answer within {timeout:g} s.")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, elapsed(), error=f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
