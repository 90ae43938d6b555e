"""No SQL is built from strings in app/: every `text()` or `exec_driver_sql()` takes a
literal, so user input can only ever reach the database as a bound parameter."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
RAW_SQL_CALLS = {"text", "exec_driver_sql"}


def _raw_sql_calls(tree: ast.AST) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in RAW_SQL_CALLS and node.args:
                calls.append(node)
    return calls


def test_raw_sql_is_only_ever_a_literal() -> None:
    offenders = []
    seen = 0
    for path in sorted(APP.rglob("*.py")):
        for call in _raw_sql_calls(ast.parse(path.read_text(encoding="utf-8"))):
            seen += 1
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                offenders.append(f"{path.relative_to(APP.parent)}:{call.lineno}")
    assert not offenders, offenders
    assert seen >= 2  # the scan sees the few literal ones there are (health, SQLite pragmas)


def test_the_scan_catches_an_f_string() -> None:
    tree = ast.parse('conn.exec_driver_sql(f"SELECT * FROM t WHERE name = {name}")')
    (call,) = _raw_sql_calls(tree)
    assert isinstance(call.args[0], ast.JoinedStr)
