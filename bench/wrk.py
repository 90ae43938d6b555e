"""Run wrk against a URL and read its figures (throughput, p50, p99, errors)."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors:.*")


@dataclass(frozen=True, slots=True)
class Result:
    rate: float  # requests/s
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float | None = None  # the server's CPU time per request


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    url: str,
    *,
    duration: float,
    connections: int,
    headers: dict[str, str],
    post_json: str | None = None,
    server_pid: int | None = None,
) -> Result:
    """One wrk run on one thread (the machine has two cores: one server, one load).

    With `server_pid`, also the server's CPU time per request: unlike throughput, it
    hardly moves when other processes compete for the cores."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if post_json is not None:
            script = Path(folder) / "post.lua"
            body = post_json.replace("\\", "\\\\").replace("'", "\\'")
            script.write_text(
                f"wrk.method = 'POST'\nwrk.body = '{body}'\n"
                "wrk.headers['Content-Type'] = 'application/json'\n"
            )
            args += ["-s", str(script)]
        cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
        out = subprocess.run(
            [*args, url], capture_output=True, text=True, check=True, timeout=duration + 60
        ).stdout
    cpu_used = cpu_seconds(server_pid) - cpu_before if server_pid else None
    percentiles = {p: float(v) * _UNITS[unit] for p, v, unit in _PERCENTILE.findall(out)}
    rate = _RATE.search(out)
    if rate is None or "50" not in percentiles:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    non_2xx = _NON_2XX.search(out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    socket_errors = _SOCKET_ERRORS.search(out)
    if socket_errors is not None:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    total = _TOTAL.search(out)
    cpu_ms = None
    if cpu_used is not None and total is not None and int(total.group(1)):
        cpu_ms = cpu_used * 1000 / int(total.group(1))
    p50, p99 = percentiles["50"], percentiles.get("99", 0.0)
    return Result(float(rate.group(1)), p50, p99, errors, cpu_ms)
