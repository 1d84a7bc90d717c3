"""Servers on 127.0.0.1 that break the way real ones do, byte for byte.

The simulated device, the provider's cloud and the status page of the shared test
kit, each given a `fault` that takes over the answer: held before or in the middle
of the body, reset mid-body (a real TCP RST), truncated JSON, a 50 MiB chunked body,
a body that drips one byte at a time, HTML instead of JSON, a redirect loop, any
JSON. With `fault = None` they answer as usual. `tls` serves HTTPS instead.
"""

import asyncio
from datetime import UTC, datetime, timedelta
import ipaddress
import json
from pathlib import Path
import socket
import ssl
import struct
from typing import Any, Literal

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from testkit.simulated import LOCALHOST, LocalServer, SimulatedDevice

from ..provider_cloud import ProviderCloud
from ..statuspage_server import StatusPageServer

type Fault = Literal[
    "hold",  # accept the request, never answer (until released or stopped)
    "hold_mid_body",  # headers and half the body, then nothing
    "reset_mid_body",  # headers and half the body, then a TCP reset
    "truncated_json",  # a complete answer whose JSON breaks off
    "huge",  # 50 MiB, chunked, no Content-Length
    "drip",  # a byte every 0.1 s
    "html",  # a maintenance page
    "redirect_loop",  # 302 to itself, forever
    "json",  # `fault_json`, whatever it is
]

HUGE_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
DRIP_BYTES = 100  # 10 s of dripping at most: the probe has long given up by then
HTML = "<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>"
HALF_BODY = b'{"devices": [{"id": 41, "online": tr'
ANY_ERROR = (ConnectionError, OSError, RuntimeError)  # the client went away


class FaultyServer(LocalServer):
    """A LocalServer with a switchable fault, HTTPS and a signal for each request."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: Fault | None = None
        self.fault_json: Any = None
        self.tls: ssl.SSLContext | None = None
        self.arrived = asyncio.Event()  # set by every request
        self.hits = 0
        self.dripped = 0
        self.sent_bytes = 0

    @property
    def base(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{LOCALHOST}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        self.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            LOCALHOST,
            self.port,
            ssl_context=self.tls,
            reuse_address=True,
        )
        await site.start()

    def release(self) -> None:
        """Let every held request go on (the server keeps running)."""
        self._release.set()
        self._release = asyncio.Event()

    async def misbehave(self, request: web.Request) -> web.StreamResponse | None:
        """The faulty answer, or None to answer as usual."""
        self.hits += 1
        self.arrived.set()
        match self.fault:
            case None:
                return None
            case "hold":
                await self.held()
                return web.Response(text="too late")
            case "html":
                return web.Response(text=HTML, content_type="text/html")
            case "redirect_loop":
                raise web.HTTPFound(request.path)
            case "json":
                return web.Response(
                    text=json.dumps(self.fault_json), content_type="application/json"
                )
            case "truncated_json":
                return web.Response(body=HALF_BODY, content_type="application/json")
            case _:
                return await self._stream(request)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "application/json"
        if self.fault in ("huge", "drip"):
            response.enable_chunked_encoding()
        else:
            response.content_length = 4 * len(HALF_BODY)
        await response.prepare(request)
        try:
            if self.fault == "huge":
                await self._huge(response)
            elif self.fault == "drip":
                await self._drip(response)
            else:
                await response.write(HALF_BODY)
                if self.fault == "reset_mid_body":
                    _reset(request)
                else:
                    await self.held()
        except ANY_ERROR:
            pass  # the client hung up, as it should
        return response

    async def _huge(self, response: web.StreamResponse) -> None:
        chunk = b'{"padding": "' + b"x" * (CHUNK - 13)
        filler = b"x" * CHUNK  # one buffer, sent again and again
        await response.write(chunk)
        self.sent_bytes = CHUNK
        while self.sent_bytes < HUGE_BYTES:
            await response.write(filler)
            self.sent_bytes += CHUNK
        await response.write(b'"}')
        await response.write_eof()

    async def _drip(self, response: web.StreamResponse) -> None:
        for _ in range(DRIP_BYTES):
            await response.write(b"x")
            self.dripped += 1
            await asyncio.sleep(0.1)  # the fault itself: a byte every 0.1 s
        await response.write_eof()


def _reset(request: web.Request) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0), as a crashed peer does."""
    transport = request.transport
    assert transport is not None
    sock = transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class FaultyDevice(FaultyServer, SimulatedDevice):
    """The simulated device (GET /status), with faults."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if (faulty := await self.misbehave(request)) is not None:
            return faulty
        return await super()._handle(request)


class FaultyCloud(FaultyServer, ProviderCloud):
    """The provider's cloud API (bearer token), with faults."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if (faulty := await self.misbehave(request)) is not None:
            return faulty
        return await super()._handle(request)


class FaultyPage(FaultyServer, StatusPageServer):
    """The provider's status page, with faults."""

    async def _summary(self, request: web.Request) -> web.StreamResponse:
        if (faulty := await self.misbehave(request)) is not None:
            return faulty
        return await super()._summary(request)


# --- certificates, made at import (real time: OpenSSL checks the real clock) ---------


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


_NOW = datetime.now(UTC)
_CA_KEY = ec.generate_private_key(ec.SECP256R1())
CA_CERT = (
    x509.CertificateBuilder()
    .subject_name(_name("Provider Watch test CA"))
    .issuer_name(_name("Provider Watch test CA"))
    .public_key(_CA_KEY.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(_NOW - timedelta(days=1))
    .not_valid_after(_NOW + timedelta(days=30))
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .add_extension(
        x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )
    .add_extension(
        x509.SubjectKeyIdentifier.from_public_key(_CA_KEY.public_key()), critical=False
    )
    .sign(_CA_KEY, hashes.SHA256())
)
CA_PEM = _pem(CA_CERT).decode()

type CertKind = Literal["valid", "self_signed", "expired", "wrong_host"]


def leaf_certificate(kind: CertKind) -> tuple[bytes, bytes]:
    """A server certificate and key (PEM) for 127.0.0.1 with one thing wrong."""
    key = ec.generate_private_key(ec.SECP256R1())
    if kind == "wrong_host":
        names: list[x509.GeneralName] = [x509.DNSName("panel.acme-alarm.example")]
    else:
        names = [x509.IPAddress(ipaddress.ip_address(LOCALHOST))]
    start, end = _NOW - timedelta(days=1), _NOW + timedelta(days=30)
    if kind == "expired":
        start, end = _NOW - timedelta(days=60), _NOW - timedelta(days=30)
    issuer, signer = _name("Provider Watch test CA"), _CA_KEY
    if kind == "self_signed":
        issuer, signer = _name("Alarm panel"), key
    # Python's default context checks strictly (VERIFY_X509_STRICT): key ids needed
    authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Alarm panel"))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(authority, critical=False)
        .sign(signer, hashes.SHA256())
    )
    return _pem(cert), _key_pem(key)


def server_tls(kind: CertKind, folder: Path) -> ssl.SSLContext:
    """The TLS context of a server presenting a certificate of that kind."""
    cert, key = leaf_certificate(kind)
    cert_file, key_file = folder / f"{kind}.crt", folder / f"{kind}.key"
    cert_file.write_bytes(cert)
    key_file.write_bytes(key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context
