"""What `--sandbox` keeps out, one README row at a time (README § Running code you did not write):
each test stands up something on the host that the repo's code must not reach (a file, a TCP
service on localhost, a unix socket by path or abstract name, the metadata address, a process) and
runs a repo that tries to reach it, once as a setup step and once as the evaluation."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.baseline.execute import egress as egress_module
from scout.baseline.execute import sandbox
from scout.baseline.execute.egress import Egress, allowed_targets, forbidden_address
from scout.baseline.execute.sandbox import Confinement
from scout.cli import app
from tests.cli_helpers import documented, run_baseline

needs_bwrap = pytest.mark.needs("bwrap")

# The repo's probe: it tries every door it is handed (as JSON in argv) and prints one verdict per
# door, "open" only when it read the host's answer. It runs as a setup step and as the evaluation.
PROBE = r"""
import json, os, socket, sys
phase, doors = sys.argv[1], json.loads(sys.argv[2])

def answer(sock):
    sock.settimeout(5)
    return "open" if sock.recv(16).startswith(b"host-secret") else "closed"

def tcp(host, port):
    with socket.create_connection((host, port), timeout=5) as sock:
        return answer(sock)

def unix(address):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(address)
        return answer(sock)

def via_proxy(target):
    proxy = os.environ.get("HTTPS_PROXY")
    if not proxy:
        return "closed"
    host, port = proxy.rsplit("/", 1)[-1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        status = sock.recv(4096).split(b" ", 2)[1]
        if status != b"200":
            return "closed"
        return answer(sock)

def read(path):
    with open(path, "rb") as f:
        return "open" if f.read(11) == b"host-secret" else "closed"

def listing(path, *expected):
    return "open" if os.path.exists(path) and set(os.listdir(path)) - set(expected) else "closed"

def processes(token):
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if token in open(f"/proc/{pid}/cmdline", "rb").read():
                return "open"
        except OSError:
            pass
    return "closed"

def write(path):
    with open(path, "w") as f:
        f.write("escaped")
    return "open"

tries = {"tcp": tcp, "unix": unix, "abstract": lambda name: unix("\0" + name), "proxy": via_proxy,
         "read": read, "list": listing, "proc": lambda token: processes(token[::-1].encode()), "write": write}
for name, (kind, *args) in doors.items():
    try:
        verdict = tries[kind](*args)
    except Exception as exc:
        verdict = "closed"
    print(f"DOOR {phase} {name} {verdict}", flush=True)
print("accuracy: 1.0")
"""


class HostService:
    """Services on the host that answer "host-secret" to whoever connects: TCP on localhost, a unix
    socket by path (world-writable) and an abstract one."""

    def __init__(self):
        self.sockets: list[socket.socket] = []

    def serve(self, sock: socket.socket) -> None:
        sock.listen(8)
        self.sockets.append(sock)

        def loop():
            with contextlib.suppress(OSError):
                while True:
                    client, _ = sock.accept()
                    with client:
                        client.sendall(b"host-secret\n")

        threading.Thread(target=loop, daemon=True).start()

    def tcp(self) -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.serve(sock)
        return sock.getsockname()[1]

    def unix(self, path: Path) -> None:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        path.chmod(0o777)
        self.serve(sock)

    def abstract(self, name: str) -> None:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind("\0" + name)
        self.serve(sock)

    def close(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def host():
    service = HostService()
    yield service
    service.close()


@pytest.fixture
def in_sight():
    """A fresh folder inside one the jail shows read-only: a system folder (/opt, /usr/local, /etc,
    as root) or else the Python environment the tests run in (a venv of the user's). It is where a
    host socket or a HOME would be in sight of the code."""
    for parent in (Path("/opt"), Path("/usr/local"), Path("/etc"), Path(sys.prefix)):
        try:
            folder = parent / f"scout-hostile-{os.getpid()}"
            folder.mkdir(mode=0o777)
        except OSError:
            continue
        folder.chmod(0o777)
        yield folder
        shutil.rmtree(folder)
        return
    pytest.fail(f"no writable folder the jail shows: /opt, /usr/local, /etc or {sys.prefix} (use a venv)")


def probe_both(cache: Path, make_git_repo, doors: dict[str, list], *flags: str) -> dict[tuple[str, str], str]:
    """Run the probe as a setup step and as the evaluation under --sandbox; {(phase, door): verdict}."""
    doors_json = json.dumps(doors)
    toml = f"command = {json.dumps('python probe.py eval ' + repr(doors_json))}\n"
    toml += f"setup = [{json.dumps('python probe.py setup ' + repr(doors_json))}]\n"
    repo = make_git_repo("probe", {"probe.py": PROBE, "scout.toml": toml})
    result = run_baseline(cache, "--sandbox", "--json", "--repo", str(repo), *flags)
    [run] = json.loads(result.stdout)["runs"]
    log = Path(run["log"]).read_text()
    assert run["status"] == "ok", log
    verdicts = {}
    for line in log.splitlines():
        if line.startswith("DOOR "):
            _, phase, name, verdict = line.split()
            verdicts[(phase, name)] = verdict
    assert len(verdicts) == 2 * len(doors), log
    return verdicts


def all_closed(verdicts: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    return [door for door, verdict in verdicts.items() if verdict != "closed"]


@needs_bwrap
def test_host_network_services_are_out_of_reach(tmp_path, make_git_repo, host):
    """Rows: the network, host localhost, the metadata address (directly and through the proxy)."""
    port = host.tcp()
    doors = {
        "internet": ["tcp", "1.1.1.1", 53],
        "localhost": ["tcp", "127.0.0.1", port],
        "metadata": ["tcp", "169.254.169.254", 80],
        "proxy-localhost": ["proxy", f"127.0.0.1:{port}"],
        "proxy-localhost-name": ["proxy", "localhost:443"],
        "proxy-metadata": ["proxy", "169.254.169.254:80"],
        "proxy-elsewhere": ["proxy", "example.com:443"],
    }
    verdicts = probe_both(tmp_path / "cache", make_git_repo, doors)
    assert all_closed(verdicts) == []
    log = sorted((tmp_path / "cache" / "runs").glob("r-*/log.txt"))[0].read_text()
    assert f"--sandbox refused a connection to 127.0.0.1:{port} (not a package registry)" in log
    assert "--sandbox refused a connection to 169.254.169.254:80 (not a package registry)" in log


@needs_bwrap
def test_host_unix_sockets_are_out_of_reach(tmp_path, make_git_repo, host, in_sight):
    """Rows: unix sockets by path (in a system folder the jail shows, and elsewhere) and abstract."""
    daemon = in_sight / "daemon.sock"
    host.unix(daemon)
    elsewhere = tmp_path / "agent.sock"
    host.unix(elsewhere)
    name = f"scout-hostile-{os.getpid()}"
    host.abstract(name)
    doors = {"in-sight": ["unix", str(daemon)], "elsewhere": ["unix", str(elsewhere)], "abstract": ["abstract", name]}
    verdicts = probe_both(tmp_path / "cache", make_git_repo, doors)
    assert all_closed(verdicts) == []


@needs_bwrap
def test_files_sys_and_other_processes_are_out_of_reach(tmp_path, make_git_repo, monkeypatch, in_sight):
    """Rows: files outside the run, $HOME (also where it sits inside a system folder), /sys, /proc
    of other processes, writes outside the run."""
    home = Path.home()
    # The real home shows only the way to Python's own folders (a pyenv under ~, say), read-only.
    on_the_way = {p.relative_to(home).parts[0] for p in sandbox._python_roots() if p.is_relative_to(home)}
    visible_home = in_sight / "home"
    (visible_home / ".ssh").mkdir(parents=True)
    (visible_home / ".ssh" / "id_ed25519").write_text("host-secret")
    monkeypatch.setenv("HOME", str(visible_home))
    outside = tmp_path / "outside.txt"
    outside.write_text("host-secret")
    token = f"scout-sentinel-{os.getpid()}"
    sentinel = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(600)", token])
    try:
        doors = {
            "outside-file": ["read", str(outside)],
            "home": ["list", str(home), *on_the_way],
            "home-in-sight": ["read", str(visible_home / ".ssh" / "id_ed25519")],
            "sys": ["list", "/sys"],
            "sys-net": ["list", "/sys/class/net"],
            "var": ["list", "/var/lib"],
            "proc": ["proc", token[::-1]],  # reversed: the probe's own argv must not match
            "write-usr": ["write", f"/usr/scout-escape-{os.getpid()}"],
            "write-outside": ["write", str(tmp_path / "written.txt")],
        }
        verdicts = probe_both(tmp_path / "cache", make_git_repo, doors)
    finally:
        sentinel.kill()
        sentinel.wait()
    assert all_closed(verdicts) == []
    assert not Path(f"/usr/scout-escape-{os.getpid()}").exists() and not (tmp_path / "written.txt").exists()


@needs_bwrap
def test_the_run_keeps_its_own_unix_sockets_tmp_and_shared_memory(tmp_path, make_git_repo):
    """A DataLoader's workers hand batches over with semaphores in /dev/shm and unix sockets in
    /tmp (multiprocessing's resource sharer): the jail's own of both work."""
    script = """
    import multiprocessing.connection as mc, threading
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    listener = mc.Listener(family="AF_UNIX")  # a socket under the jail's own /tmp
    threading.Thread(target=lambda: listener.accept().send("pong"), daemon=True).start()
    print("reply:", mc.Client(listener.address, family="AF_UNIX").recv())
    batches = DataLoader(TensorDataset(torch.arange(64.0)), batch_size=8, num_workers=2)
    print("rows:", sum(len(b[0]) for b in batches))
    print("accuracy: 1.0")
    """
    repo = make_git_repo("own", documented({"eval.py": script}))
    [run] = json.loads(run_baseline(tmp_path / "cache", "--sandbox", "--json", "--repo", str(repo)).stdout)["runs"]
    log = Path(run["log"]).read_text()
    assert run["status"] == "ok", log
    assert "reply: pong" in log and "rows: 64" in log


def test_the_jail_always_has_its_own_network_namespace(tmp_path, monkeypatch):
    """No silent fallback: every sandboxed argv unshares the network, setup steps' too."""
    monkeypatch.setattr(sandbox, "_usable_bwrap", lambda: "/usr/bin/bwrap")
    jail = Confinement(env={}, sandbox=True, writable=(tmp_path,))
    with Egress(frozenset()) as proxy:
        for one in (jail, jail.with_(egress=proxy)):
            argv = one.argv(["true"], tmp_path)
            assert "--unshare-net" in argv and argv[argv.index("--") + 1 :][-1] == "true"
        argv = jail.with_(egress=proxy).argv(["true"], tmp_path)
        assert argv[argv.index(str(proxy.socket_path)) + 1] == sandbox.EGRESS_SOCKET


def test_deeper_places_win_over_shallower_ones(monkeypatch):
    """A HOME inside Python's folder stays hidden; the run's folders inside the hidden cache show;
    a host socket in sight is covered, one in the run's own folder is not."""
    monkeypatch.setattr(sandbox, "_usable_bwrap", lambda: "/usr/bin/bwrap")
    prefix = Path(sys.prefix).resolve()
    monkeypatch.setenv("HOME", str(prefix / "home"))
    monkeypatch.setattr(sandbox.os.path, "isdir", lambda path: True)  # none of these need exist
    cache = prefix / "cache"
    work = cache / "runs" / "r-1" / "work"
    in_sight = str(prefix / "agent.sock")
    monkeypatch.setattr(sandbox, "_host_sockets", lambda: [in_sight, str(work / "own.sock")])
    jail = Confinement(env={}, sandbox=True, writable=(work,), hidden=(cache,))
    argv = jail.argv(["true"], work)

    def mount(option, path):
        at = [i for i, word in enumerate(argv[:-1]) if word == option and argv[i + 1] == path]
        assert at, (option, path)
        return at[-1]

    assert mount("--ro-bind-try", str(prefix)) < mount("--tmpfs", str(prefix / "home"))
    assert mount("--tmpfs", str(cache)) < mount("--bind", str(work))
    assert argv[argv.index(in_sight) - 1] == "/dev/null" and str(work / "own.sock") not in argv


@needs_bwrap
def test_a_kernel_without_namespaces_is_a_clear_error(tmp_path, monkeypatch, make_git_repo):
    monkeypatch.setattr(sandbox, "_refusal", lambda bwrap, as_nobody: "No permissions to create new namespace")
    repo = make_git_repo("nons", documented({"eval.py": "print('accuracy: 1')\n"}))
    result = run_baseline(tmp_path / "cache", "--repo", str(repo), "--sandbox", "--json")
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "failed"
    assert run["message"].startswith("--sandbox cannot make its jail here (bwrap: No permissions")
    assert "user and network namespaces" in run["message"] and "\n" not in run["message"]


def test_root_without_setpriv_is_a_clear_error(monkeypatch):
    """As root, the code must run as uid 65534; without setpriv that cannot be, so no run at all."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: "/usr/bin/bwrap" if name == "bwrap" else None)
    with pytest.raises(sandbox.EvalError, match=r"needs `setpriv`.*apt install util-linux"):
        Confinement(env={}, sandbox=True).argv(["true"], Path("/"))


# The proxy's own checks, without a jail.


def connect_through(proxy: Egress, target: str) -> tuple[bytes, socket.socket]:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(proxy.socket_path))
    sock.settimeout(10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return head.split(b" ", 2)[1], sock


@pytest.mark.parametrize(
    ("target", "resolves_to"),
    [
        ("pypi.org:443", "127.0.0.1"),  # a registry name that resolves to the host itself
        ("pypi.org:443", "169.254.169.254"),  # ... or to the metadata service
        ("pypi.org:443", "::ffff:169.254.169.254"),
        ("pypi.org:443", "fd00:ec2::254"),
        ("pypi.org:443", "::1"),
        ("pypi.org:22", "151.101.0.223"),  # a registry, but not its HTTPS port
        ("evil.example:443", "151.101.0.223"),
        ("PyPI.org.:443", "0.0.0.0"),
    ],
)
def test_the_proxy_refuses_all_but_registries_on_public_addresses(target, resolves_to):
    with Egress(allowed_targets({}, (), ()), resolve=lambda host, port: [resolves_to]) as proxy:
        status, sock = connect_through(proxy, target)
        sock.close()
        assert status in (b"403", b"405")
        assert proxy.take_refused()[0].startswith(target)


def test_the_proxy_refuses_plain_http_and_garbage():
    with Egress(allowed_targets({}, (), ())) as proxy:
        for request in (b"GET http://pypi.org/simple/ HTTP/1.1\r\n\r\n", b"CONNECT pypi.org HTTP/1.1\r\n\r\n"):
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(str(proxy.socket_path))
                sock.sendall(request)
                assert sock.recv(64).split(b" ")[1] in (b"403", b"405")
        assert len(proxy.take_refused()) == 2


def test_the_proxy_tunnels_both_ways(monkeypatch, host):
    """The tunnel itself (to a local echo service, which only this test lets it reach)."""
    port = host.tcp()
    monkeypatch.setattr(egress_module, "forbidden_address", lambda address: False)
    with Egress(frozenset({("pypi.org", port)}), resolve=lambda host, port: ["127.0.0.1"]) as proxy:
        status, sock = connect_through(proxy, f"pypi.org:{port}")
        with sock:
            assert status == b"200" and sock.recv(16) == b"host-secret\n"


def test_configured_indexes_join_the_registries(tmp_path):
    pip_conf = tmp_path / "pip.conf"
    pip_conf.write_text("[global]\nindex-url = https://user:pw@pypi.corp.example/simple\nfind-links = /opt/wheels\n")
    uv_toml = tmp_path / "uv.toml"
    uv_toml.write_text('[[index]]\nurl = "https://download.pytorch.org/whl/cu121"\n')
    env = {
        "PIP_EXTRA_INDEX_URL": "https://a.example:8443/simple http://plain.example/",
        "UV_INDEX": "x=https://b.example",
    }
    assert allowed_targets(env, (pip_conf,), (uv_toml,)) == {
        ("pypi.org", 443),
        ("files.pythonhosted.org", 443),
        ("pypi.corp.example", 443),
        ("download.pytorch.org", 443),
        ("a.example", 8443),
        ("b.example", 443),
    }


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "169.254.169.254",
        "fe80::1",
        "0.0.0.0",
        "x",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "::ffff:127.0.0.1",
    ],
)
def test_forbidden_addresses(address):
    assert forbidden_address(address)


def test_public_and_private_index_addresses_pass():
    assert not forbidden_address("151.101.0.223") and not forbidden_address("10.2.3.4")


@needs_bwrap
@pytest.mark.slow
def test_a_real_pip_install_goes_through_the_registry_proxy(tmp_path, make_git_repo, monkeypatch):
    """pip in the sandbox installs from PyPI through the proxy, and a requirements file that points
    pip elsewhere fails with a line that says where it tried to go. (A relative --cache-dir: the
    installer's view of the run's copy once missed it.)"""
    script = "import pyjokes\nprint('accuracy: 1.0')\n"
    good = make_git_repo("good", documented({"eval.py": script, "requirements.txt": "pyjokes==0.8.3\n"}))
    monkeypatch.chdir(tmp_path)
    argv = ["baseline", "--yes", "--sandbox", "--json", "--cache-dir", "cache", "--repo"]
    [run] = json.loads(CliRunner().invoke(app, [*argv, str(good)]).stdout)["runs"]
    log = Path(run["log"]).read_text()
    assert run["status"] == "ok", log
    assert "refused" not in log
    evil = "--index-url https://evil.example/simple\npyjokes==0.8.3\n"
    bad = make_git_repo("bad", documented({"eval.py": script, "requirements.txt": evil}))
    [run] = json.loads(CliRunner().invoke(app, [*argv, str(bad)]).stdout)["runs"]
    assert run["status"] == "failed"
    assert "it tried to reach evil.example:443 (not a package registry)" in run["message"]
