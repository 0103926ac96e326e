"""`scout index pull` against a local HTTP server that drops the first connection half-way."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
from typer.testing import CliRunner

from scout.archive.download import download
from scout.cli import app
from scout.config import load_settings
from scout.errors import SourceError
from scout.search.http import make_client
from tests.pwc_dumps import PAPERS, synthetic_papers, write_json


class Archive(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    drop_first = False  # cut the first response after half its body
    ranges: ClassVar[list[str | None]] = []

    def do_GET(self):
        body = self.files.get(self.path.rsplit("/", 1)[-1])
        if body is None:
            self.send_error(404)
            return
        start = 0
        requested = self.headers.get("Range")
        type(self).ranges.append(requested)
        if requested:
            start = int(requested.split("=")[1].rstrip("-"))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        rest = body[start:]
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        if type(self).drop_first:
            type(self).drop_first = False
            self.wfile.write(rest[: len(rest) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(rest)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    payload = write_json(tmp_path / "src.json.gz", synthetic_papers(2000) + PAPERS, gz=True).read_bytes()
    Archive.files = {"jul-29-papers-with-abstracts.json.gz": payload}
    Archive.ranges = []
    Archive.drop_first = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Archive)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/datasets/pwc-archive/files/resolve/main", payload
    httpd.shutdown()


def test_a_dropped_download_resumes_with_a_range_request(server, tmp_path):
    base, payload = server
    settings = load_settings({"cache_dir": tmp_path}, env={})
    dest = tmp_path / "out" / "jul-29-papers-with-abstracts.json.gz"
    seen = []
    with make_client(settings) as client:
        download(client, f"{base}/{dest.name}", dest, tries=2, progress=lambda have, total: seen.append(total))
    assert dest.read_bytes() == payload and not dest.with_name(dest.name + ".part").exists()
    assert Archive.ranges[0] is None and Archive.ranges[1].startswith("bytes=") and Archive.ranges[1] != "bytes=0-"
    assert seen[-1] == len(payload)


def test_a_partial_file_from_an_earlier_run_is_continued(server, tmp_path):
    base, payload = server
    Archive.drop_first = False
    dest = tmp_path / "jul-29-papers-with-abstracts.json.gz"
    dest.with_name(dest.name + ".part").write_bytes(payload[:1000])
    with httpx.Client() as client:
        download(client, f"{base}/{dest.name}", dest)
    assert Archive.ranges == ["bytes=1000-"] and dest.read_bytes() == payload
    # Every byte there but not renamed yet: the server answers 416, and the file is complete.
    again = tmp_path / "again" / dest.name
    again.parent.mkdir()
    again.with_name(again.name + ".part").write_bytes(payload)
    with httpx.Client() as client:
        download(client, f"{base}/{again.name}", again)
    assert again.read_bytes() == payload


def test_a_missing_file_is_a_source_error(server, tmp_path):
    base, _ = server
    with httpx.Client() as client, pytest.raises(SourceError, match="HTTP 404"):
        download(client, f"{base}/nope.json.gz", tmp_path / "nope.json.gz")


def test_cli_pull_downloads_then_imports(server, tmp_path, monkeypatch):
    base, _ = server
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SCOUT_PWC_ARCHIVE_URL", base)
    result = CliRunner().invoke(app, ["index", "pull", "--file", "jul-29-papers-with-abstracts.json.gz"])
    assert result.exit_code == 0, result.stderr
    assert "2,005 records" in result.stderr
    assert (tmp_path / "cache" / "pwc-archive" / "jul-29-papers-with-abstracts.json.gz").is_file()
    monkeypatch.setenv("SCOUT_OFFLINE", "1")
    offline = CliRunner().invoke(app, ["index", "pull"])
    assert offline.exit_code == 1 and "needs the network" in offline.stderr
