"""Run wrk against a URL and read its figures (throughput, p50, p99, errors)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors:.*")


@dataclass(frozen=True, slots=True)
class Result:
    rate: float  # requests/s
    p50_ms: float
    p99_ms: float
    errors: int


def run(
    url: str,
    *,
    duration: float,
    connections: int,
    headers: dict[str, str],
    post_json: str | None = None,
) -> Result:
    """One wrk run on one thread (the machine has two cores: one server, one load)."""
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
        out = subprocess.run(
            [*args, url], capture_output=True, text=True, check=True, timeout=duration + 60
        ).stdout
    percentiles = {p: float(v) * _UNITS[unit] for p, v, unit in _PERCENTILE.findall(out)}
    rate = _RATE.search(out)
    if rate is None or "50" not in percentiles:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    non_2xx = _NON_2XX.search(out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    socket_errors = _SOCKET_ERRORS.search(out)
    if socket_errors is not None:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Result(float(rate.group(1)), percentiles["50"], percentiles.get("99", 0.0), errors)
