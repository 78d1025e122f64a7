"""Render the report in headless Chromium and keep a screenshot (CTest label 'browser').

The screenshot goes to build/report-screenshot.png under the source tree, or to the path in the
environment variable DRIFT_SCREENSHOT. Skipped when no Chromium is installed
(Debian: apt-get install chromium).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def test_report_renders_in_headless_chromium(report):
    browser = find_browser()
    if browser is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); "
                    "cannot render the report")
    proc, html_path, _ = report
    assert proc.returncode == 0, proc.stderr
    screenshot = Path(os.environ.get("DRIFT_SCREENSHOT", REPO / "build" / "report-screenshot.png"))
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    if screenshot.exists():
        screenshot.unlink()
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={screenshot}",
             "--window-size=1280,4000", html_path.resolve().as_uri()],
            capture_output=True, text=True, timeout=180)
    assert screenshot.is_file(), f"no screenshot written:\n{run.stdout}\n{run.stderr}"
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # A blank or error page compresses to a few kB; the report with its charts is far larger.
    assert len(data) > 20_000, f"screenshot only {len(data)} bytes"
