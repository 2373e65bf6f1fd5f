"""The HTML report in a real headless Chromium (Debian's `chromium`): it renders, its filters work, and a
screenshot can be taken. The click goes through the DevTools protocol, spoken over a minimal stdlib
websocket client, so no npm or extra Python package is needed. Without Chromium these tests fail.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from report_samples import sample_report

from checker.reporters import html

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]  # fmt: skip
RULES = {"REL001", "REL002", "REL003", "MON001", "MON002", "SEC007", "VER001"}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is required for the HTML report tests: apt-get install -y chromium"
    return found


@pytest.fixture()
def page(tmp_path: Path) -> Path:
    path = tmp_path / "readiness.html"
    path.write_text(html.render(sample_report()), encoding="utf-8")
    return path


def _dump_dom(url: str, profile: Path) -> str:
    cmd = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def _shown(dom: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r'<article class="rule[^"]*" id="rule-(\w+)"(?![^>]*hidden)[^>]*>', dom)}


def test_page_renders_every_rule_and_the_verdict(page: Path, tmp_path: Path) -> None:
    dom = _dump_dom(page.as_uri(), tmp_path / "profile")
    assert _shown(dom) == RULES
    assert '<span class="verdict not_ready" id="verdict">NOT READY</span>' in dom
    assert "(7 of 7 shown)" in dom  # written by the page's script: JavaScript ran


def test_url_hash_preselects_filters(page: Path, tmp_path: Path) -> None:
    dom = _dump_dom(page.as_uri() + "#severity=critical,high&status=fail,error", tmp_path / "profile")
    assert _shown(dom) == {"REL001", "MON001", "SEC007"}
    assert "(3 of 7 shown)" in dom


def test_screenshot_is_a_png(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    cmd = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
           "--window-size=1200,1600", page.as_uri()]  # fmt: skip
    subprocess.run(cmd, capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1600) and len(data) > 20_000  # a blank page compresses far smaller


# --- a click through the DevTools protocol ------------------------------------------------------------


class DevTools:
    """Just enough of RFC 6455 to call DevTools methods: masked text frames out, (fragmented) frames in."""

    def __init__(self, ws_url: str) -> None:
        url = urlparse(ws_url)
        self.sock = socket.create_connection((url.hostname, url.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {url.path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())  # fmt: skip
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert b" 101 " in head.split(b"\r\n")[0], head
        self._next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self._send(json.dumps({"id": self._next_id, "method": method, "params": params}).encode())
        while True:
            message = json.loads(self._receive())
            if message.get("id") == self._next_id:
                assert "error" not in message, message
                return message["result"]  # type: ignore[no-any-return]

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"]["value"]

    def _send(self, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + struct.pack(">H", size)
                                  if size < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", size))  # fmt: skip
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self) -> bytes:
        data, final = b"", False
        while not final:
            first, second = self._exactly(2)
            final, size = bool(first & 0x80), second & 0x7F
            if size == 126:
                (size,) = struct.unpack(">H", self._exactly(2))
            elif size == 127:
                (size,) = struct.unpack(">Q", self._exactly(8))
            data += self._exactly(size)
        return data

    def _exactly(self, count: int) -> bytes:
        chunks = b""
        while len(chunks) < count:
            chunk = self.sock.recv(count - len(chunks))
            assert chunk, "DevTools closed the connection"
            chunks += chunk
        return chunks


@pytest.fixture()
def devtools(page: Path, tmp_path: Path) -> Iterator[DevTools]:
    profile = tmp_path / "profile"
    cmd = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
           "--window-size=1200,1600", page.as_uri()]  # fmt: skip
    browser = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield DevTools(_page_socket(profile))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=20)
        except subprocess.TimeoutExpired:
            browser.kill()


def _page_socket(profile: Path) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text().strip():
            port = port_file.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page" and t["url"].startswith("file:")]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
        time.sleep(0.1)
    raise AssertionError("Chromium did not open its DevTools port")


def _visible(tools: DevTools) -> set[str]:
    script = "Array.from(document.querySelectorAll('article.rule')).filter(a => !a.hidden).map(a => a.id.slice(5))"
    return set(tools.evaluate(script))


def _click(tools: DevTools, selector: str) -> None:
    box = tools.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView(); "
                         "const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")  # fmt: skip
    for kind in ("mousePressed", "mouseReleased"):
        tools.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


def test_clicking_a_filter_changes_what_is_shown(devtools: DevTools, tmp_path: Path) -> None:
    # The first document is about:blank (already "complete"): wait for the report itself to have loaded.
    loaded = "location.protocol === 'file:' && document.readyState === 'complete'"
    deadline = time.monotonic() + 30
    while not devtools.evaluate(loaded) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _visible(devtools) == RULES
    _click(devtools, "input[name=status][value=pass]")
    _click(devtools, "input[name=category][value=security]")
    assert _visible(devtools) == RULES - {"REL003", "SEC007"}
    assert devtools.evaluate("document.getElementById('shown-count').textContent") == "(5 of 7 shown)"
    shot = base64.b64decode(devtools.call("Page.captureScreenshot", format="png")["data"])
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "filtered.png").write_bytes(shot)
