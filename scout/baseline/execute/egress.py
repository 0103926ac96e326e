"""The only way out of the sandbox for setup steps (installs, a recipe's setup commands): an HTTPS
CONNECT proxy in scout's own process, reached through a unix socket bound into the jail, that
tunnels to the package registries and nothing else.

The step runs in its own network namespace (only its own loopback); bridge.py, inside the jail,
turns HTTP(S)_PROXY connections into connections to this socket. Here each CONNECT is checked:
the host and port must be a registry (PyPI, files.pythonhosted.org, or an index the user
configured), and every address the name resolves to must be a public one: loopback, link-local
(the cloud metadata address 169.254.169.254 among them), private-use metadata addresses,
multicast and unspecified addresses are refused whatever the name. Plain-HTTP requests are
refused (registries are HTTPS). What was refused is kept for the step's log."""

from __future__ import annotations

import configparser
import contextlib
import ipaddress
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from scout.baseline.execute.bridge import pump

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REGISTRIES = (("pypi.org", 443), ("files.pythonhosted.org", 443))
# Index URLs the user can configure for pip and uv (--pass-env them, or a system-wide config file).
_INDEX_VARS = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_FIND_LINKS",
)
_PIP_KEYS = ("index-url", "extra-index-url", "find-links")
# The installer in the jail has a fresh HOME, so only the system-wide files count.
PIP_CONFIGS = (Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf"))
UV_CONFIGS = (Path("/etc/uv/uv.toml"), Path("/etc/xdg/uv/uv.toml"))
# Metadata services that sit on ordinary-looking addresses (the link-local ones are refused anyway).
_METADATA = {ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HEADER_BYTES = 16 * 1024
_HANDSHAKE_S = 30.0

Resolver = Callable[[str, int], list[str]]


def _https_targets(urls: Iterable[str]) -> set[tuple[str, int]]:
    found = set()
    for url in urls:
        url = url.split("=", 1)[1] if "=" in url.split("://", 1)[0] else url  # UV_INDEX: name=url
        with contextlib.suppress(ValueError):
            parts = urlsplit(url.strip())
            if parts.scheme == "https" and parts.hostname:
                found.add((parts.hostname.rstrip(".").lower(), parts.port or 443))
    return found


def _config_urls(pip_configs: Iterable[Path], uv_configs: Iterable[Path]) -> list[str]:
    urls: list[str] = []
    for path in pip_configs:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        with contextlib.suppress(OSError, configparser.Error, UnicodeDecodeError):
            parser.read(path, encoding="utf-8")
            for section in parser.sections():
                urls += [url for key, value in parser[section].items() if key in _PIP_KEYS for url in value.split()]
    for path in uv_configs:
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            pip = data.get("pip") if isinstance(data.get("pip"), dict) else {}
            for table in (data, pip):
                for key in ("index-url", "extra-index-url", "find-links"):
                    value = table.get(key)
                    urls += [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
            urls += [i["url"] for i in data.get("index") or () if isinstance(i, dict) and isinstance(i.get("url"), str)]
    return urls


def allowed_targets(
    env: Mapping[str, str], pip_configs: Iterable[Path] = PIP_CONFIGS, uv_configs: Iterable[Path] = UV_CONFIGS
) -> frozenset[tuple[str, int]]:
    """PyPI, plus the HTTPS indexes the step's installer is configured with."""
    urls = [part for name in _INDEX_VARS for part in env.get(name, "").split()]
    return frozenset({*REGISTRIES, *_https_targets(urls + _config_urls(pip_configs, uv_configs))})


def forbidden_address(text: str) -> bool:
    """Addresses a setup step must never reach, whatever name led there."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address carried inside an IPv6 one (mapped, 6to4, NAT64) is judged as itself.
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and forbidden_address(str(inner)):
            return True
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
        or address in _METADATA
    )


@contextlib.contextmanager
def registries_only(sandboxed: bool, env: Mapping[str, str]) -> Iterator[Egress | None]:
    """Under --sandbox, the proxy a setup step's jail gets as its only way out, while the block
    lasts; None without the sandbox (setup steps then use the host's network, as the user does)."""
    if not sandboxed:
        yield None
        return
    with Egress(allowed_targets(env)) as egress:
        yield egress


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _split_target(target: str) -> tuple[str, int] | None:
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    return (host.rstrip(".").lower(), int(port)) if host else None


class Egress:
    """The proxy, serving on a fresh unix socket while the `with` block lasts."""

    def __init__(self, allowed: frozenset[tuple[str, int]], resolve: Resolver = _resolve):
        self.allowed = allowed
        self._resolve = resolve
        self._refused: list[str] = []
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._folder: Path | None = None
        self._server: socket.socket | None = None

    @property
    def socket_path(self) -> Path:
        assert self._folder is not None, "the proxy is not running"
        return self._folder / "egress.sock"

    def __enter__(self) -> Egress:
        self._folder = Path(tempfile.mkdtemp(prefix="scout-egress-"))  # 0700: only scout reaches it on the host
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o666)  # the jail's uid (65534 under root) connects through a bind mount
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True, name="scout-egress").start()
        return self

    def __exit__(self, *exc) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def take_refused(self) -> list[str]:
        """What was refused since the last call, in order, each once."""
        with self._lock:
            refused, self._refused = list(dict.fromkeys(self._refused)), []
        return refused

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _track(self, sock: socket.socket, keep: bool) -> None:
        with self._lock:
            (self._open.add if keep else self._open.discard)(sock)

    def _handle(self, client: socket.socket) -> None:
        self._track(client, True)
        upstream = None
        try:
            client.settimeout(_HANDSHAKE_S)
            head, rest = _read_head(client)
            upstream = self._open_tunnel(client, head)
            if upstream is None:
                return
            self._track(upstream, True)
            client.settimeout(None)
            upstream.settimeout(None)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
            back.start()
            pump(client, upstream)
            back.join()
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    self._track(sock, False)
                    sock.close()

    def _open_tunnel(self, client: socket.socket, head: bytes) -> socket.socket | None:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = line.partition(" ")
        raw_target = rest.split(" ", 1)[0]
        if method != "CONNECT":
            return self._refuse(client, 405, raw_target or line[:200], "only HTTPS (CONNECT) to a package registry")
        target = _split_target(raw_target)
        if target is None or target not in self.allowed:
            return self._refuse(client, 403, raw_target[:200], "not a package registry")
        try:
            addresses = self._resolve(*target)
        except OSError:
            return self._refuse(client, 502, raw_target, "its name does not resolve")
        if not addresses or any(forbidden_address(a) for a in addresses):
            return self._refuse(client, 403, raw_target, "it resolves to a local or metadata address")
        for address in addresses:
            with contextlib.suppress(OSError):
                return socket.create_connection((address, target[1]), timeout=_HANDSHAKE_S)
        client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        return None

    def _refuse(self, client: socket.socket, status: int, target: str, why: str) -> None:
        with self._lock:
            self._refused.append(f"{target} ({why})")
        body = f"scout --sandbox: {target} refused: {why}\n".encode()
        client.sendall(b"HTTP/1.1 %d Refused\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))
        return None


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > _HEADER_BYTES:
            raise OSError("no complete request")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest
