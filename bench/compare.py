"""Two versions of Followup side by side on one database: which is faster, here and now.

    .venv/bin/python bench/perf.py --keep                      # once: seeds, prints NAME
    .venv/bin/python bench/compare.py --reuse NAME c330626     # that commit against this tree

On this shared machine absolute figures move by a third within minutes, more than
most changes are worth, so two separate perf.py runs
can't tell two versions apart. Here both serve at once from the same database:
BASE checked out in a temporary git worktree (its own app/, this venv's packages,
so both must share the schema and the dependencies), and the working tree as it
is. wrk alternates between them, the list then a create for each, the order
swapped every round, and the medians of the rounds are printed with every
round's figures and the server's CPU per request. Creates are the light user's,
so the heavy user's list stays the same.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
from pathlib import Path

import wrk  # bench/ is the script's folder, so its siblings import as top-level modules
from perf import CREATE_BODY, followup, prepare

ROOT = Path(__file__).resolve().parents[1]


def _worktree(commit: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="followup-compare-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), commit],
        check=True,
        capture_output=True,
    )
    return folder


def _drop_worktree(folder: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
        check=True,
        capture_output=True,
    )


def _round(
    servers: list[tuple[str, str, int]], heavy: str, light: str, args: argparse.Namespace
) -> dict[tuple[str, str], wrk.Result]:
    """One list run and one create run per server, in the order given."""
    requests = (
        ("list", "/api/v1/applications?limit=50", heavy, None),
        ("create", "/api/v1/applications", light, CREATE_BODY),
    )
    results = {}
    for name, base, pid in servers:
        for endpoint, path, token, body in requests:
            results[(name, endpoint)] = wrk.run(
                base + path,
                duration=args.duration,
                connections=args.connections,
                headers={"Authorization": f"Bearer {token}"},
                post_json=body,
                server_pid=pid,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base", help="the commit to compare the working tree with")
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--reuse", required=True, metavar="DATABASE", help="kept by perf.py")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8711)
    args = parser.parse_args()

    _, url, seeded = asyncio.run(prepare(args))
    log = Path(f"/tmp/followup-compare-{args.reuse}.log")
    code = _worktree(args.base)
    rounds: list[dict[tuple[str, str], wrk.Result]] = []
    try:
        with (
            followup(url, args.port, log, count_sql=False, code=code) as (base_pid, _),
            followup(url, args.port + 1, log, count_sql=False) as (pid, _),
        ):
            servers = [
                (args.base, f"http://127.0.0.1:{args.port}", base_pid),
                ("working tree", f"http://127.0.0.1:{args.port + 1}", pid),
            ]
            for number in range(args.rounds):
                order = servers if number % 2 == 0 else servers[::-1]
                rounds.append(_round(order, seeded.heavy.token, seeded.light.token, args))
    finally:
        _drop_worktree(code)
    print("| version | endpoint | req/s, median (each round) | server CPU ms, median | errors |")
    print("|---|---|---|---:|---:|")
    for name in (args.base, "working tree"):
        for endpoint in ("list", "create"):
            runs = [r[(name, endpoint)] for r in rounds]
            rates = ", ".join(f"{r.rate:.0f}" for r in runs)
            rate = statistics.median(r.rate for r in runs)
            cpu = statistics.median(r.cpu_ms or 0.0 for r in runs)
            errors = sum(r.errors for r in runs)
            print(f"| {name} | {endpoint} | {rate:.0f} ({rates}) | {cpu:.2f} | {errors} |")


if __name__ == "__main__":
    main()
