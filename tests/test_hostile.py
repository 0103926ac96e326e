"""Hostile repositories: each test is a small local repo that tries one escape from `scout baseline`
(or `scout new`, `scout cache clear`), and checks that it fails and the store is intact."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from scout.cli import app
from tests.cli_helpers import documented, run_baseline
from tests.sync import GUARD_S, log_shows, wait_for

needs_bwrap = pytest.mark.needs("bwrap")
GIT_ID = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def store_intact(cache: Path) -> int:
    """PRAGMA integrity_check passes; returns the number of runs."""
    db = sqlite3.connect(cache / "scout.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    finally:
        db.close()


def runs_of(result) -> list[dict]:
    assert result.stdout.strip(), result.output
    return json.loads(result.stdout)["runs"]


@needs_bwrap
def test_root_in_the_sandbox_cannot_remount_or_reach_the_store(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    victim = tmp_path / "victim.txt"
    script = f"""
    import os, pathlib
    os.system("mount -o remount,rw / 2>/dev/null; mount -o remount,rw /tmp 2>/dev/null")
    for path in ({str(victim)!r}, "/usr/scout-escape"):
        try:
            pathlib.Path(path).write_text("escaped")
        except OSError:
            pass
    hidden = ({str(cache / "scout.db")!r}, "/root/.ssh", "/run/dbus", {str(Path.cwd() / "pyproject.toml")!r})
    for path in hidden:
        print("visible" if os.path.exists(path) else "hidden", path)
    print("accuracy: 1.0")
    """
    repo = make_git_repo("remount", documented({"eval.py": script}))
    [run] = runs_of(run_baseline(cache, "--sandbox", "--json", "--repo", str(repo)))
    log = Path(run["log"]).read_text()
    assert run["status"] == "ok", log
    assert not victim.exists() and not Path("/usr/scout-escape").exists()
    assert "visible" not in log, log
    assert store_intact(cache) == 1


@pytest.mark.parametrize("sandbox", [pytest.param(True, marks=needs_bwrap), False])
def test_links_the_run_plants_are_never_followed(tmp_path, make_git_repo, sandbox):
    cache = tmp_path / "cache"
    victim = tmp_path / "bashrc"
    victim.write_text("# the user's shell config\n")
    outside = tmp_path / "outside.json"
    outside.write_text('{"accuracy": 0.99}')
    script = f"""
    import os, pathlib
    out = pathlib.Path(os.environ["SCOUT_RUN_DIR"])
    targets = {{"result.json": {str(cache / "scout.db")!r}, "log.txt": {str(victim)!r}}}
    for folder in (out, out.parent, pathlib.Path.cwd(), pathlib.Path.home()):
        for name, target in targets.items():
            try:
                (folder / name).unlink(missing_ok=True)
                (folder / name).symlink_to(target)
            except OSError:
                pass
    os.symlink({str(outside)!r}, "metrics.json")
    print("test loss: 1.5")
    """
    toml = 'command = "python eval.py"\nmetrics_file = "metrics.json"\n'
    repo = make_git_repo("links", documented({"eval.py": script, "scout.toml": toml}))
    args = ["--sandbox"] if sandbox else []
    [run] = runs_of(run_baseline(cache, *args, "--json", "--repo", str(repo)))
    assert "accuracy" not in run["metrics"]  # the link to a file outside was not read
    assert "not read" in run["message"]
    assert victim.read_text() == "# the user's shell config\n"
    assert store_intact(cache) == 1
    run_dir = cache / "runs" / run["id"]
    assert not (run_dir / "result.json").is_symlink() and json.loads((run_dir / "result.json").read_text())


def test_what_a_run_plants_never_reaches_the_next_run_or_git(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    ran = tmp_path / "ran"
    hook = f"#!/bin/sh\necho hook >> {ran}\n"
    script = f"""
    import os, pathlib, stat
    pathlib.Path("requirements.txt").write_text("definitely-not-a-package-xyz\\n")
    pathlib.Path("setup.py").write_text("open({str(ran)!r}, 'a').write('setup.py')")
    for git_dir in (pathlib.Path(".git"), pathlib.Path("{{clone}}/.git")):
        if git_dir.is_dir():
            for name in ("post-checkout", "post-merge", "reference-transaction", "fsmonitor"):
                path = git_dir / "hooks" / name
                path.write_text({hook!r})
                path.chmod(0o755)
            with open(git_dir / "config", "a") as config:
                config.write("[core]\\n\\tfsmonitor = " + str(git_dir / "hooks" / "fsmonitor") + "\\n")
    print("accuracy: 0.5")
    """
    repo = make_git_repo("poison", documented({"eval.py": "placeholder\n"}))
    clone = cache / "repos" / f"local__poison-{__import__('hashlib').sha1(str(repo).encode()).hexdigest()[:6]}"
    (repo / "eval.py").write_text(textwrap.dedent(script).replace("{clone}", str(clone)))
    subprocess.run(["git", "commit", "-qam", "poison"], cwd=repo, env={**os.environ, **GIT_ID}, check=True)
    first = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))[0]
    assert first["status"] == "ok", first["message"]
    # The next run, with --update (git fetch + reset in the clone), and scout new from the clone.
    second = CliRunner().invoke(app, ["baseline", "--yes", "--update", "--cache-dir", str(cache), "--repo", str(repo)])
    assert "definitely-not-a-package-xyz" not in Path(runs_of_log(cache)).read_text()
    new = CliRunner().invoke(app, ["new", "exp", "--from", str(clone), "--dir", str(tmp_path / "exp")])
    assert new.exit_code == 0, new.output
    assert not ran.exists(), ran.read_text()
    assert second.exit_code in (0, 1) and store_intact(cache) == 2


def runs_of_log(cache: Path) -> Path:
    return sorted((cache / "runs").glob("r-*/log.txt"))[-1]


def test_git_config_a_clone_carries_does_not_run(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    ran = tmp_path / "ran"
    repo = make_git_repo("cfg", documented({"eval.py": "print('accuracy: 1')\n"}))
    assert run_baseline(cache, "--repo", str(repo)).exit_code == 0
    [clone] = (cache / "repos").iterdir()
    monitor = tmp_path / "monitor.sh"
    monitor.write_text(f"#!/bin/sh\necho fsmonitor >> {ran}\n")
    monitor.chmod(0o755)
    with open(clone / ".git" / "config", "a") as config:
        config.write(f"[core]\n\tfsmonitor = {monitor}\n\thooksPath = {tmp_path}\n")
    for name in ("post-checkout", "post-merge", "reference-transaction"):
        shutil.copy(monitor, tmp_path / name)
    assert run_baseline(cache, "--update", "--repo", str(repo)).exit_code == 0
    new = CliRunner().invoke(app, ["new", "exp", "--from", str(clone), "--dir", str(tmp_path / "exp")])
    assert new.exit_code == 0, new.output
    assert not ran.exists()


@pytest.mark.parametrize("sandbox", [pytest.param(True, marks=needs_bwrap), False])
def test_every_setup_step_is_shown_and_sandboxed(tmp_path, make_git_repo, sandbox):
    cache = tmp_path / "cache"
    victim = tmp_path / "victim"
    toml = f"""
    command = "python eval.py"
    setup = ["python -c 'open(\\"{victim}\\", \\"w\\").write(\\"x\\")' || true"]
    """
    repo = make_git_repo("steps", documented({"eval.py": "print('accuracy: 1')\n", "scout.toml": toml}))
    args = ["--sandbox"] if sandbox else []
    result = run_baseline(cache, *args, "--json", "--repo", str(repo))
    assert "before it: setup: python -c" in result.stderr
    assert victim.exists() != sandbox  # in the sandbox, the step sees only its own folders
    listing = CliRunner().invoke(app, ["baseline", "--cache-dir", str(cache), "--repo", str(repo), "--sandbox"])
    assert "pass --yes" in listing.stderr and "before it:" in listing.stderr


def test_confirm_screen_lists_the_installs(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    repo = make_git_repo("reqs", documented({"eval.py": "print('accuracy: 1')\n", "requirements.txt": "numpy\n"}))
    result = CliRunner().invoke(app, ["baseline", "--cache-dir", str(cache), "--repo", str(repo), "--sandbox"])
    assert result.exit_code == 5  # no terminal to confirm on
    assert "install -r requirements.txt into" in result.stderr
    assert "in the sandbox; network: the package registries only" in result.stderr
    assert "create or reuse the venv" in result.stderr


SECRETS = {
    "GITHUB_TOKEN": "ghp_1234567890abcdef",
    "GH_TOKEN": "gho_abcdef",
    "HF_TOKEN": "hf_abcdefgh",
    "HUGGING_FACE_HUB_TOKEN": "hf_hub",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzE",
    "AZURE_CLIENT_SECRET": "azsecret",
    "GOOGLE_APPLICATION_CREDENTIALS": "/secrets/gcp.json",
    "OPENAI_API_KEY": "sk-proj-abc",
    "ANTHROPIC_API_KEY": "sk-ant-abc",
    "WANDB_API_KEY": "wandbkey",
    "COMET_API_KEY": "cometkey",
    "NEPTUNE_API_TOKEN": "neptunetoken",
    "KAGGLE_KEY": "kagglekey",
    "DATABASE_URL": "postgres://admin:hunter2@db:5432/prod",
    "REDIS_URL": "redis://:redispw@cache:6379/0",
    "CELERY_BROKER": "amqp://guest:guestpw@rabbit//",
    "MYSQL_PWD": "mysqlpw",
    "PGPASSWORD": "pgpw",
    "SMTP_PASS": "smtppass",
    "SESSION_JWT": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    "SLACK_WEBHOOK": "https://hooks.slack.com/services/T000/B000/XXXX",
    "DISCORD_HOOK": "https://discord.com/api/webhooks/1/abc",
    "GIT_REMOTE": "https://ghp_tokeninuser@github.com/o/r.git",
    "PIP_INDEX_URL": "https://user:pipsecret@pypi.internal/simple",
    "SENTRY_DSN": "https://publickey@o0.ingest.sentry.io/0",
    "NPM_CONFIG__AUTH": "npmauth",
    "DOCKER_AUTH_CONFIG": '{"auths":{}}',
    "SSH_AUTH_SOCK": "/tmp/ssh-agent.sock",
    "VAULT_ADDR_AND_TOKEN": "s.vaulttoken",
    "STRIPE_LIVE": "sk_live_abc",
    "MY_APP_CONFIG": "internal-config-value",
}
# Dumps the environment of every Python that starts in the repo's venv: setup steps, the
# evaluation and scout's probes. A .pth file runs before any of them.
SPY_PTH = (
    "import os, sys, json; open(os.environ.get('SPY_LOG', '{log}'), 'a').write("
    "json.dumps({{'argv': sys.argv, 'env': dict(os.environ)}}) + chr(10))\n"
)


@pytest.mark.slow
def test_no_secret_reaches_the_code_its_install_or_the_probes(tmp_path, make_git_repo, monkeypatch):
    cache = tmp_path / "cache"
    log = tmp_path / "spy.jsonl"
    plant = (
        "import site, pathlib\n"
        f"pathlib.Path(site.getsitepackages()[0], 'spy.pth').write_text({SPY_PTH.format(log=log)!r})\n"
    )
    toml = 'command = "python eval.py"\nsetup = ["python plant.py", "python -c pass"]\n'
    files = {"eval.py": "print('accuracy: 1')\n", "scout.toml": toml, "plant.py": plant}
    repo = make_git_repo("spy", files)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        app, ["baseline", "--yes", "--cache-dir", str(cache), "--repo", str(repo), "--pass-env", "WANDB_API_KEY"]
    )
    assert result.exit_code == 0, result.output
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    kinds = {" ".join(entry["argv"])[:40] for entry in seen}
    assert len(seen) >= 3, kinds  # the second setup step, the evaluation, and the probes
    assert any(entry["argv"] == ["-c"] for entry in seen)  # a probe (python -c CODE)
    for entry in seen:
        leaked = {name for name, value in SECRETS.items() if value in json.dumps(entry["env"])}
        assert leaked == {"WANDB_API_KEY"}, (entry["argv"], leaked)
        assert entry["env"]["HOME"].startswith(str(cache / "runs"))


def test_scout_new_validates_every_path_before_writing(tmp_path):
    source = tmp_path / "crafted"
    source.mkdir()
    env = {**os.environ, **GIT_ID}

    def git(*args, stdin=None):
        return subprocess.run(
            ["git", *args], cwd=source, env=env, check=True, text=True, input=stdin, capture_output=True
        ).stdout.strip()

    git("init", "-q")
    blob = git("hash-object", "-w", "--stdin", stdin="pwned\n")
    dot = git("hash-object", "-w", "--stdin", stdin=".")
    up = git("hash-object", "-w", "--stdin", stdin="d/d/../..")
    inner = git("mktree", stdin=f"100644 blob {blob}\tpwned.txt\n")
    # d -> . (harmless alone), e -> d/d/../.. (escapes only through d), and a tree also named e.
    tree = git("mktree", stdin=f"120000 blob {dot}\td\n120000 blob {up}\te\n040000 tree {inner}\te\n")
    commit = git("commit-tree", tree, "-m", "crafted")
    git("update-ref", "HEAD", commit)
    target = tmp_path / "deep" / "exp"
    result = CliRunner().invoke(app, ["new", "exp", "--from", str(source), "--dir", str(target)])
    assert result.exit_code == 1 and "looks crafted" in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.rglob("pwned.txt")) and not target.exists()


def test_cache_clear_removes_only_what_scout_made(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.md").write_text("mine")
    monkeypatch.chdir(project)
    for args in (["--cache-dir", ""], ["--cache-dir", "  "]):
        result = CliRunner().invoke(app, ["cache", "clear", "--all", "--yes", *args])
        assert result.exit_code == 2, result.output
    assert run_baseline(tmp_path / "c", "--repo", "").exit_code == 2
    result = CliRunner().invoke(app, ["cache", "clear", "--all", "--yes", "--cache-dir", "."])
    assert result.exit_code == 1 and "marker" in result.stderr
    assert (project / "notes.md").read_text() == "mine"
    made = tmp_path / "made"
    assert CliRunner().invoke(app, ["cache", "info", "--cache-dir", str(made)]).exit_code == 0
    (made / "runs").mkdir()
    assert CliRunner().invoke(app, ["cache", "clear", "--all", "--yes", "--cache-dir", str(made)]).exit_code == 0
    assert [p.name for p in made.iterdir()] == [".scout-cache"]


# Starts three daemons that leave the run's process group, says so once all three are running, then
# ends or hangs ({tail}).
DAEMONS = """
import os, subprocess, sys, time
tag = "{tag}"
subprocess.Popen(["setsid", "sleep", "301." + tag])
subprocess.Popen("nohup sleep 302.{tag} >/dev/null 2>&1 &", shell=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "303." + tag])
    os._exit(0)
def mine():  # the three sleeps themselves, not the setsid, nohup or sh on their way to them
    found = set()
    for p in os.listdir("/proc"):
        try:
            argv = open(f"/proc/{{p}}/cmdline", "rb").read().split(b"\\0") if p.isdigit() else []
        except OSError:
            continue
        if len(argv) > 1 and argv[0] == b"sleep" and argv[1].endswith(tag.encode()):
            found.add(argv[1])
    return found
deadline = time.monotonic() + {guard}  # a guard against a hang: the three are up long before
while len(mine()) < 3 and time.monotonic() < deadline:
    time.sleep(0.02)
print("daemons:", len(mine()), flush=True)
print("accuracy: 1.0", flush=True)
{tail}
"""


def tagged(tag: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if any(tag in part for part in proc.info["cmdline"] or ()) and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc)
    return found


def wait_gone(tag: str) -> list:
    """What is left of the tagged processes once they are gone, or once the guard runs out."""
    with contextlib.suppress(AssertionError):
        wait_for(lambda: not tagged(tag), f"the processes tagged {tag} to end")
    return tagged(tag)


def daemons(tag: str, tail: str = "") -> str:
    return DAEMONS.format(tag=tag, tail=tail, guard=GUARD_S)


@pytest.mark.parametrize("sandbox", [pytest.param(True, marks=needs_bwrap), False])
@pytest.mark.parametrize("ending", ["exit", "timeout"])
def test_daemons_end_with_the_run(tmp_path, make_git_repo, timeout_when, sandbox, ending):
    tag = f"{os.getpid()}{int(sandbox)}{len(ending)}"  # digits: sleep takes 301.<tag> seconds
    tail = "time.sleep(600)" if ending == "timeout" else ""
    repo = make_git_repo("daemons", documented({"eval.py": daemons(tag, tail)}))
    args = ["--sandbox"] if sandbox else []
    cache = tmp_path / "cache"
    if ending == "timeout":  # it times out once it has printed its metrics, however long that took
        timeout_when(log_shows(cache, "accuracy: 1.0"))
    result = run_baseline(cache, *args, "--timeout", "600", "--json", "--repo", str(repo))
    [run] = runs_of(result)
    assert run["status"] == ("timeout" if ending == "timeout" else "ok"), run["message"]
    log = Path(run["log"]).read_text()
    assert "daemons: 3" in log, log
    assert wait_gone(tag) == []


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", [pytest.param(True, marks=needs_bwrap), False])
def test_sigterm_to_scout_ends_everything_and_records_the_run(tmp_path, make_git_repo, sandbox):
    tag = f"{os.getpid()}{int(sandbox)}9"
    repo = make_git_repo("daemons", documented({"eval.py": daemons(tag, "time.sleep(600)")}))
    cache = tmp_path / "cache"
    argv = [sys.executable, "-c", "from scout.cli import main; main()", "baseline", "--yes", "--env", "current"]
    argv += ["--repo", str(repo), "--cache-dir", str(cache), *(["--sandbox"] if sandbox else [])]
    scout = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(log_shows(cache, "daemons: 3"), "the three daemons")
        scout.send_signal(signal.SIGTERM)
        _, err = scout.communicate(timeout=GUARD_S)
    finally:
        scout.kill()
    assert scout.returncode == 130, err
    assert wait_gone(tag) == []
    assert store_intact(cache) == 1
    db = sqlite3.connect(cache / "scout.db")
    [(status, message)] = db.execute("SELECT status, message FROM runs").fetchall()
    db.close()
    assert status == "failed" and "interrupted" in message


@pytest.mark.slow
@needs_bwrap
def test_sigkill_of_scout_leaves_the_run_in_the_ledger_and_nothing_running(tmp_path, make_git_repo):
    tag = f"{os.getpid()}7"
    repo = make_git_repo("daemons", documented({"eval.py": daemons(tag, "time.sleep(600)")}))
    cache = tmp_path / "cache"
    argv = [sys.executable, "-c", "from scout.cli import main; main()", "baseline", "--yes", "--env", "current"]
    scout = subprocess.Popen([*argv, "--repo", str(repo), "--cache-dir", str(cache), "--sandbox"])
    wait_for(log_shows(cache, "daemons: 3"), "the three daemons")
    scout.kill()
    scout.wait()
    assert wait_gone(tag) == []  # the sandbox's PID namespace died with scout
    db = sqlite3.connect(cache / "scout.db")
    [(status, message)] = db.execute("SELECT status, message FROM runs").fetchall()
    db.close()
    assert status == "failed" and "did not finish" in message
