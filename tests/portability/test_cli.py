"""`followup export`, `followup import` and `followup demo` against a real database file.

Runs once (SQLite): the commands open their own engine from FOLLOWUP_DATABASE_URL, the
work they do is the same service code the API tests cover on both databases.
"""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.core.config import get_settings
from app.core.migrations import upgrade_to_head
from app.portability import importer


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_to_head(url)
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_demo_then_export_then_import_into_another_account(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--password", "demo-password-1"]) == 0
    out = capsys.readouterr().out
    assert "demo@example.com" in out
    assert "demo-password-1" in out
    assert main(["demo"]) == 1
    assert "already exists" in capsys.readouterr().err

    exported = tmp_path / "export.json"
    assert main(["export", "--output", str(exported)]) == 0  # the only account
    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert doc["format"] == "followup.export"
    assert len(doc["applications"]) == 6

    created = ["create-user", "--email", "copy@example.com", "--name", "Copy"]
    assert main([*created, "--password", "another-password"]) == 0
    capsys.readouterr()
    assert main(["export"]) == 2  # two accounts now: which one?
    assert "--email" in capsys.readouterr().err

    assert main(["import", str(exported), "--email", "copy@example.com"]) == 0
    assert "imported 6 applications, 2 references" in capsys.readouterr().out
    assert main(["import", str(exported), "--email", "copy@example.com"]) == 1
    assert "already has applications" in capsys.readouterr().err

    assert main(["export", "--email", "copy@example.com"]) == 0
    copy = json.loads(capsys.readouterr().out)
    assert [a["company"] for a in copy["applications"]] == [
        a["company"] for a in doc["applications"]
    ]


def test_import_of_a_broken_file_says_where_and_writes_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--password", "demo-password-1"]) == 0
    exported = tmp_path / "export.json"
    assert main(["export", "--output", str(exported)]) == 0
    doc = json.loads(exported.read_text(encoding="utf-8"))
    doc["applications"][3]["interviews"][0]["starts_at"] = "yesterday"
    exported.write_text(json.dumps(doc), encoding="utf-8")
    assert (
        main(["create-user", "--email", "b@example.com", "--name", "B", "--password", "x" * 12])
        == 0
    )
    capsys.readouterr()

    assert main(["import", str(exported), "--email", "b@example.com"]) == 2
    assert "applications.3.interviews.0.starts_at" in capsys.readouterr().err
    assert main(["export", "--email", "b@example.com"]) == 0
    assert json.loads(capsys.readouterr().out)["applications"] == []


def test_import_has_no_list_limit_and_writes_a_batch_at_a_time(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More references than the API's 10,000 a list, from standard input, flushed a few
    rows at a time: all of it arrives, the links across batches intact."""
    assert main(["demo", "--password", "demo-password-1"]) == 0
    exported = tmp_path / "export.json"
    assert main(["export", "--output", str(exported)]) == 0
    doc = json.loads(exported.read_text(encoding="utf-8"))
    stamp = doc["references"][0]["created_at"]
    doc["references"] += [
        {
            "id": str(uuid.uuid4()),
            "name": f"Reference {n}",
            "created_at": stamp,
            "updated_at": stamp,
        }
        for n in range(10_001)
    ]
    new_user = ["create-user", "--email", "b@example.com", "--name", "B", "--password", "x" * 12]
    assert main(new_user) == 0
    capsys.readouterr()
    monkeypatch.setattr(importer, "FLUSH_ROWS", 3)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(doc).encode())))

    assert main(["import", "-", "--email", "b@example.com"]) == 0

    assert f"{len(doc['references'])} references" in capsys.readouterr().out
    assert main(["export", "--email", "b@example.com"]) == 0
    copy = json.loads(capsys.readouterr().out)
    assert len(copy["references"]) == len(doc["references"])
    for kind in ("interviewers", "interviews", "events"):
        assert [len(a[kind]) for a in copy["applications"]] == [
            len(a[kind]) for a in doc["applications"]
        ]


def test_import_of_a_file_that_is_not_json_says_so(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--password", "demo-password-1"]) == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "followup.export", "applications": [{"id": ', encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(broken)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
