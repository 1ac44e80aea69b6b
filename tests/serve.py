"""Start and stop a real Streamlit server for browser tests and benchmarks."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    """The system Chromium (Playwright's own download does not work offline)."""
    for cand in (os.environ.get("QUANTVIZ_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                 "/usr/bin/chromium"):
        if cand and Path(cand).exists():
            return cand
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_SERVERS: dict[str, tuple] = {}  # base URL -> (process, log path): for the diagnosis of a run that never ends


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", timeout: float = 60.0):
    """Yield the base URL of a freshly started server; nobody has requested anything yet."""
    with streamlit_process(script, timeout) as (base, _proc):
        yield base


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def streamlit_process(script: str = "app.py", timeout: float = 60.0):
    """Like :func:`streamlit_server`, yielding (base URL, subprocess.Popen)."""
    port = free_port()
    # The server dumps every thread's stack to its log on SIGUSR1 (see wait_idle: a run that never ends).
    launcher = ("import faulthandler, runpy, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
                "sys.argv = ['streamlit'] + sys.argv[1:]; runpy.run_module('streamlit', run_name='__main__')")
    cmd = [sys.executable, "-c", launcher, "run", script, "--server.headless=true", f"--server.port={port}",
           "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    log = open(ROOT / "tests" / "artifacts" / f"server-{port}.log", "w") if (ROOT / "tests" / "artifacts").is_dir() \
        else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _SERVERS[base] = (proc, getattr(log, "name", None))
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield base, proc
    finally:
        _SERVERS.pop(base, None)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# Counts the app's runs: each time its script state leaves "notRunning" a run has begun. Installed in the page on
# first use; ``seen`` is the count at the end of the last wait_idle.
_RUN_COUNTER = """() => {
  if (window.__qvRuns) return {fresh: false, runs: window.__qvRuns.runs, seen: window.__qvRuns.seen};
  window.__qvRuns = {runs: 0, seen: 0};
  new MutationObserver(records => {
    for (const r of records) if (r.oldValue === 'notRunning') window.__qvRuns.runs += 1;
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  return {fresh: true, runs: 0, seen: 0};
}"""


def wait_idle(page, timeout: float = 60_000, grace: float = 2_000) -> None:
    """Wait until the app has finished the run that the last action caused.

    A slider's keypress or a click reaches the server a moment later, and on a loaded machine the app can still
    say "not running" several hundred milliseconds after the action (CI read a Non-uniform page's metrics before
    its rerun that way). So, unless a run has begun since the last call, wait up to ``grace`` ms for one to begin,
    then for it to end. A call that follows an action causing no rerun costs ``grace``."""
    counter = page.evaluate(_RUN_COUNTER)
    if not counter["fresh"] and counter["runs"] == counter["seen"]:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            page.wait_for_function("() => window.__qvRuns.runs > window.__qvRuns.seen", timeout=grace)
        except PlaywrightTimeout:  # the action started no run
            pass
    try:
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    except Exception as exc:
        raise AssertionError(_diagnose_stuck_run(page)) from exc
    page.wait_for_timeout(300)
    page.evaluate("() => { window.__qvRuns.seen = window.__qvRuns.runs; }")


def _diagnose_stuck_run(page) -> str:
    """What a run that never ended left behind: the app's script state, a screenshot, and the server's thread
    stacks (from its log, after SIGUSR1). CI failed once this way (Signals, bad and good uploads in a row); the
    first local occurrence showed an idle server and a browser stopped on "Cached ForwardMsg MISS"
    (.streamlit/config.toml, tests/browser/test_connection.py)."""
    lines = [f"the app's run did not end: {page.url}"]
    try:
        lines.append("script state: " + str(page.locator("[data-testid='stApp']").get_attribute(
            "data-test-script-state", timeout=2_000)))
        shot = ROOT / "tests" / "artifacts" / "stuck-run.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot))
        lines.append(f"screenshot: {shot}")
    except Exception as exc:  # noqa: BLE001 - a diagnosis must not hide the failure
        lines.append(f"(no page state: {exc})")
    base = page.url.split("/", 3)
    proc, log = _SERVERS.get("/".join(base[:3]), (None, None))
    if proc is not None and proc.poll() is None and log:
        import signal
        proc.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
        text = Path(log).read_text(errors="replace")
        lines.append("server log (with its threads' stacks), last 6,000 characters:\n" + text[-6000:])
    return "\n".join(lines)
