"""bench/perf.py's figures as Markdown tables, with the issue's targets beside them."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

import chains
import wrk

LIST = "GET /api/v1/applications?limit=50"
DETAIL = "GET /api/v1/applications/{id}"
RECOMMENDATIONS = "GET /api/v1/recommendations"
DASHBOARD = "GET / (dashboard page)"
FOLLOWUP, BARE, RAW = "Followup", "bare FastAPI", "raw reference"
SERVERS = (FOLLOWUP, BARE, RAW)

# (endpoint, connections, server) -> one result per round, in round order.
Runs = dict[tuple[str, int, str], list[wrk.Result]]
Memory = dict[str, tuple[float, float]]  # server -> (current, peak) RSS in MB

# Through the route, at 32 connections, Followup with all of its middleware on.
RATIO_TARGETS = {DETAIL: 0.75, LIST: 0.8}
CREATES_TARGET = 400.0  # creates/s, the mixed chain, 16 in flight
P50_TARGETS = {RECOMMENDATIONS: 50.0, DASHBOARD: 100.0}  # ms, one client
RSS_TARGET = 150.0  # MB, peak


@dataclass(frozen=True, slots=True)
class Figures:
    runs: Runs  # the list and the detail on each server
    connections: list[int]  # wrk's, for those
    singles: dict[str, wrk.Result]  # one client: next steps, dashboard
    created: chains.Result
    in_flight: int  # the chain's
    counts: dict[str, tuple[int, int]]  # SQL per request, heavy and light user
    memory: Memory


def _median(results: list[wrk.Result]) -> wrk.Result:
    return wrk.Result(
        statistics.median(r.rate for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        statistics.median(r.cpu_ms or 0.0 for r in results),
    )


def ratios(runs: Runs, endpoint: str, connections: int, other: str) -> list[float]:
    """Followup's throughput over `other`'s, round by round."""
    ours, theirs = runs[(endpoint, connections, FOLLOWUP)], runs[(endpoint, connections, other)]
    return [a.rate / b.rate for a, b in zip(ours, theirs, strict=True)]


def _comparisons(figures: Figures) -> str:
    runs, counts = figures.runs, figures.counts
    rows = [
        "| endpoint | connections | Followup req/s | bare FastAPI req/s | raw reference req/s"
        " | Followup / bare | Followup / raw | Followup p50 / p99 ms"
        " | server CPU ms/req (Followup / bare / raw) | Followup SQL per request"
        " (heavy / light user) | errors (Followup / bare / raw) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    cpu_notes: list[str] = []
    for endpoint in (LIST, DETAIL):
        for count in figures.connections:
            medians = {server: _median(runs[(endpoint, count, server)]) for server in SERVERS}
            to_bare, to_raw = (ratios(runs, endpoint, count, s) for s in (BARE, RAW))
            ours = medians[FOLLOWUP]
            cpu = " / ".join(f"{medians[s].cpu_ms or 0:.2f}" for s in SERVERS)
            errors = " / ".join(str(medians[s].errors) for s in SERVERS)
            rates = " | ".join(f"{medians[s].rate:,.0f}" for s in SERVERS)
            rows.append(
                f"| {endpoint} | {count} | {rates}"
                f" | **{statistics.median(to_bare):.2f}x** | {statistics.median(to_raw):.2f}x"
                f" | {ours.p50_ms:.1f} / {ours.p99_ms:.1f} | {cpu}"
                f" | {_pair(counts[endpoint])} | {errors} |"
            )
            notes.append(
                f"{endpoint} at {count}: Followup / bare {_listed(to_bare)};"
                f" Followup / raw {_listed(to_raw)}"
            )
            cpu_notes.append(
                f"{endpoint} at {count}: bare / Followup {_cpu_ratio(runs, endpoint, count, BARE)};"
                f" raw / Followup {_cpu_ratio(runs, endpoint, count, RAW)}"
            )
    return "\n".join(
        [
            *rows,
            "",
            "throughput ratio per interleaved round:",
            *notes,
            "",
            # When other work shares the cores, throughput follows the share each server
            # gets; the CPU each spends on a request hardly moves, so this ratio is the
            # steadier one (it leaves out time spent waiting: the database, the pool).
            "server CPU per request, the other's over Followup's, median (each round):",
            *cpu_notes,
        ]
    )


def _cpu_ratio(runs: Runs, endpoint: str, connections: int, other: str) -> str:
    ours, theirs = runs[(endpoint, connections, FOLLOWUP)], runs[(endpoint, connections, other)]
    values = [(b.cpu_ms or 0) / (a.cpu_ms or 1) for a, b in zip(ours, theirs, strict=True)]
    return f"{statistics.median(values):.2f} ({_listed(values)})"


def _pair(heavy_light: tuple[int, int]) -> str:
    return f"{heavy_light[0]} / {heavy_light[1]}"


def _listed(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _others(figures: Figures) -> str:
    created, counts = figures.created, figures.counts
    rows = [
        "| request | load | rate | p50 ms | p99 ms | server CPU ms/req"
        " | SQL per request (heavy / light user) | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in figures.singles.items():
        rows.append(
            f"| {name} | 1 client | {r.rate:,.1f} req/s | {r.p50_ms:.1f} | {r.p99_ms:.1f}"
            f" | {r.cpu_ms or 0:.2f} | {_pair(counts[name])} | {r.errors} |"
        )
    create_sql = _pair(counts["POST /api/v1/applications"])
    rows.append(
        "| create chain: application, interviewer, interview, event"
        f" | {figures.in_flight} chains in flight"
        f" | {created.creates_per_s:,.0f} creates/s ({created.chains_per_s:,.0f} chains/s)"
        f" | {created.p50_ms:.1f} | {created.p99_ms:.1f} | {created.cpu_ms or 0:.2f}"
        f" | {create_sql} (POST /api/v1/applications alone) | {created.errors} |"
    )
    return "\n".join(rows)


def _targets(figures: Figures) -> str:
    created = figures.created
    rows = ["| target | measured | met |", "|---|---:|---|"]

    def row(name: str, figure: str, met: bool) -> None:
        rows.append(f"| {name} | {figure} | {'yes' if met else '**no**'} |")

    if 32 in figures.connections:
        for endpoint, floor in RATIO_TARGETS.items():
            ratio = statistics.median(ratios(figures.runs, endpoint, 32, BARE))
            row(
                f"{endpoint} >= {floor:.2f}x bare FastAPI, 32 connections",
                f"{ratio:.3f}x",  # at two places, 0.799 shows as 0.80 beside a "no"
                ratio >= floor,
            )
    row(
        f"creates >= {CREATES_TARGET:.0f}/s, mixed chain",
        f"{created.creates_per_s:,.0f}/s",
        created.creates_per_s >= CREATES_TARGET,
    )
    for name, ceiling in P50_TARGETS.items():
        p50 = figures.singles[name].p50_ms
        row(f"{name} p50 <= {ceiling:.0f} ms, one client", f"{p50:.1f} ms", p50 <= ceiling)
    peak = figures.memory[FOLLOWUP][1]
    row(f"Followup's peak RSS <= {RSS_TARGET:.0f} MB", f"{peak:.0f} MB", peak <= RSS_TARGET)
    return "\n".join(rows)


def report(figures: Figures) -> str:
    def rss(server: str) -> str:
        current, peak = figures.memory[server]
        return f"{server} {peak:.0f} MB (at the end {current:.0f})"

    return "\n\n".join(
        [
            _comparisons(figures),
            _others(figures),
            "peak RSS over the run (VmHWM): " + "; ".join(rss(s) for s in SERVERS),
            _targets(figures),
        ]
    )


def footer(duration: float, rounds: int, connections: list[int], load_at_start: float) -> str:
    """When, where and how, and which `FOLLOWUP_` settings the server inherited."""
    inherited = sorted(
        f"{name}={value}"
        for name, value in os.environ.items()
        if name.startswith("FOLLOWUP_") and not any(w in name for w in ("SECRET", "URL", "KEY"))
    )
    load_1, load_5, _ = os.getloadavg()
    cores = os.cpu_count() or 1
    # Seen on this machine with other work on its cores: the detail (no fast path serves
    # it) came out 0.28x and 0.54x of the bare app in two runs minutes apart, while
    # its CPU per request ratio held (0.43, 0.50).
    warning = (
        [
            f"WARNING: load average {max(load_at_start, load_1):.1f} on {cores} cores: other"
            " work competed, so the throughput ratios are unreliable; the CPU per request"
            " ratios are the ones to compare"
        ]
        if max(load_at_start, load_1) > cores
        else []
    )
    return "\n".join(
        [
            *warning,
            f"load average at the start of the load: {load_at_start:.2f} (1 min);"
            f" at the end: {load_1:.2f} (1 min), {load_5:.2f} (5 min)",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores"
            f" ({platform.machine()}), Python {platform.python_version()},"
            f" wrk -t1 -c{'/'.join(map(str, connections))}, {duration:g} s runs,"
            f" {rounds} interleaved rounds; one client and the chain: {duration * 2:g} s",
            "FOLLOWUP_ settings from the environment: " + (", ".join(inherited) or "none"),
        ]
    )
