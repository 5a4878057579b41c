""".ci/system-packages waits for another apt/dpkg instead of failing at once.

apt-get, dpkg-query and id are stand-ins on PATH (nothing is installed); the
"dpkg lock" is a file of the test's, held with the same kind of lock dpkg takes.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from pathlib import Path

from tests.factories import ROOT

SCRIPT = ROOT / ".ci" / "system-packages"


def fake_tools(tmp_path: Path) -> tuple[Path, Path]:
    bin_dir, calls = tmp_path / "bin", tmp_path / "apt-calls"
    bin_dir.mkdir()
    tools = {"dpkg-query": "exit 1", "id": "echo 0", "apt-get": f'echo "$*" >> {calls}'}
    for name, body in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir, calls


def run(tmp_path: Path, lock: Path, wait: int) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir, calls = fake_tools(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_LOCK_FILES": str(lock),
           "APT_LOCK_WAIT": str(wait), "APT_LOCK_POLL": "0.2"}
    result = subprocess.run(["bash", str(SCRIPT), "fonts-liberation2"], env=env, capture_output=True, text=True,
                            timeout=60)
    return result, calls.read_text().splitlines() if calls.exists() else []


def hold(lock: Path) -> int:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.lockf(fd, fcntl.LOCK_EX)  # an fcntl lock, as dpkg and apt take
    return fd


def test_waits_for_the_lock_then_installs(tmp_path):
    lock = tmp_path / "lock-frontend"
    fd = hold(lock)
    threading.Timer(1.5, os.close, (fd,)).start()
    result, calls = run(tmp_path, lock, wait=30)
    assert result.returncode == 0, result.stderr
    assert (f"Đang chờ một tiến trình cài gói khác (apt/dpkg, tiến trình {os.getpid()}) chạy xong; "
            "chờ tối đa 30 giây…") in result.stderr
    assert [c.split()[:3] for c in calls] == [["-o", "DPkg::Lock::Timeout=30", "update"],
                                             ["-o", "DPkg::Lock::Timeout=30", "install"]]


def test_gives_up_after_the_wait_with_a_vietnamese_line(tmp_path):
    lock = tmp_path / "lock-frontend"
    fd = hold(lock)
    try:
        result, calls = run(tmp_path, lock, wait=1)
    finally:
        os.close(fd)
    assert result.returncode == 1
    assert f"Hết thời gian chờ: tiến trình {os.getpid()} vẫn đang cài gói sau 1 giây" in result.stderr
    assert calls == [], "apt-get is not run while another holds the lock"


def test_nothing_to_wait_for(tmp_path):
    result, calls = run(tmp_path, tmp_path / "no-such-lock", wait=30)
    assert result.returncode == 0 and "Đang chờ" not in result.stderr
    assert len(calls) == 2
