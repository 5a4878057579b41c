"""Headless Chromium driven over the DevTools protocol on a pipe, for the status page tests.

Why not `--enable-logging=stderr`: it prints every console message as
"INFO:CONSOLE" whatever its level, says nothing of a failed image, and an
alert() blocks the page until the run times out. Over `--remote-debugging-pipe`
Chromium reports each console call, uncaught exception, browser log entry
(a file that failed to load, a blocked resource) and dialog with its level, and
the same session gives the rendered DOM and a full-page screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe",
)
CONSOLE_LEVELS = {"error": "error", "assert": "error", "warning": "warning"}


@dataclass(frozen=True)
class Message:
    source: str  # console, exception, log
    level: str  # error, warning, info, verbose
    text: str


@dataclass
class PageLoad:
    messages: list[Message] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    dom: str = ""
    text: str = ""
    scripts: int = 0
    broken_images: list[str] = field(default_factory=list)
    screenshot: bytes = b""

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]


def _high_pipe() -> tuple[int, int]:
    """A pipe on fds ≥ 10: dup2 onto 3 and 4 must not clobber a pipe end, nor be a no-op
    that keeps the close-on-exec flag (what happens when a pipe end already is fd 3)."""
    ends = []
    for fd in os.pipe():
        ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(fd)
    return ends[0], ends[1]


class DevToolsPipe:
    """One Chromium process; fd 3 carries our commands in, fd 4 its replies and events out."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser, self._write = _high_pipe()
        self._read, from_browser = _high_pipe()

        def wire_pipes() -> None:  # runs in the child, before exec
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        # close_fds=False: only fds 3 and 4 are inheritable (PEP 446); the rest close on exec.
        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes, close_fds=False, start_new_session=True,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        return self._next_id

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        wanted = self.send(method, params, session)
        while True:
            message = self._receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._on_event(message)

    def wait_for(self, method: str) -> dict:
        while True:
            message = self._receive()
            if "method" in message:
                self._on_event(message)
                if message["method"] == method:
                    return message

    def _on_event(self, message: dict) -> None:
        self.events.append(message)
        if message["method"] == "Page.javascriptDialogOpening":
            # An open dialog blocks the page: dismiss it, the test has already seen it.
            self.send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"Chromium did not answer within {self.timeout} s")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            # Only our own process group: start_new_session made its id the browser's pid.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            os.close(self._write)
            os.close(self._read)
            self.profile.cleanup()


def messages_of(events: list[dict]) -> tuple[list[Message], list[str]]:
    """Console calls, uncaught exceptions and browser log entries; and the dialogs opened."""
    messages, dialogs = [], []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            messages.append(Message("console", CONSOLE_LEVELS.get(params["type"], "info"), text))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            messages.append(Message("exception", "error", details.get("exception", {}).get("description", details["text"])))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            messages.append(Message("log", entry["level"], f"{entry['text']} {entry.get('url', '')}".strip()))
        elif method == "Page.javascriptDialogOpening":
            dialogs.append(f"{params['type']}: {params['message']}")
    return messages, dialogs


PAGE_FACTS = """JSON.stringify({
  dom: document.documentElement.outerHTML,
  text: document.body.innerText,
  scripts: document.scripts.length,
  broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  height: Math.ceil(document.documentElement.scrollHeight)
})"""


def load(path: Path, width: int = 1280, height: int = 2000) -> PageLoad:
    """Open a local file, wait for its load event, and report what the browser saw."""
    browser = DevToolsPipe()
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        browser.call("Page.navigate", {"url": path.resolve().as_uri()}, session)
        browser.wait_for("Page.loadEventFired")
        facts = json.loads(browser.call("Runtime.evaluate", {"expression": PAGE_FACTS, "returnByValue": True},
                                        session)["result"]["value"])
        clip = {"x": 0, "y": 0, "width": width, "height": max(height, facts["height"]), "scale": 1}
        shot = browser.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                            session)
        messages, dialogs = messages_of(browser.events)
        return PageLoad(messages, dialogs, facts["dom"], facts["text"], facts["scripts"], facts["broken"],
                        base64.b64decode(shot["data"]))
    finally:
        browser.close()
