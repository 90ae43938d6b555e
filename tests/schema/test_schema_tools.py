"""The schema through other people's tools: Redocly's linter finds no error, and a
TypeScript client generated from it (openapi-typescript + openapi-fetch) type-checks
under `tsc --strict` and works against a live server.

The tools come from npm into schema-tools/ (`npm ci` there; .ci/run does it). Missing
tools fail these tests, never skip them: a schema nobody checked would look fine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.migrations import PROJECT_ROOT
from tests.web.live_server import live_server

SCHEMA = PROJECT_ROOT / "openapi" / "openapi.json"
TOOLS = PROJECT_ROOT / "schema-tools"
BIN = TOOLS / "node_modules" / ".bin"
SCRIPT = Path(__file__).parent / "typescript" / "client.ts"
TSCONFIG = """{
  "compilerOptions": {
    "strict": true,
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "outDir": "out",
    "noEmitOnError": true
  },
  "files": ["client.ts"]
}
"""


def require_schema_tools() -> dict[str, str]:
    """node and the npm tools, or an error that says how to get them."""
    node = shutil.which("node")
    tools = {name: BIN / name for name in ("redocly", "openapi-typescript", "tsc")}
    missing = [name for name, path in tools.items() if not path.exists()]
    if node is None or missing:
        raise RuntimeError(
            f"missing {'node' if node is None else ', '.join(missing)}: the schema tests "
            "need Node.js (apt-get install -y nodejs npm) and `npm ci` in schema-tools/ "
            "(.ci/run does both before `make test`)."
        )
    return {"node": node, **{name: str(path) for name, path in tools.items()}}


def run(command: list[str], cwd: Path, **env: str) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


def test_redocly_finds_no_error_with_the_recommended_rules() -> None:
    tools = require_schema_tools()
    output = run(
        [tools["redocly"], "lint", str(SCHEMA), "--extends", "recommended", "--format", "summary"],
        TOOLS,
        REDOCLY_TELEMETRY="off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE="true",
    )
    assert "error " not in output, output


@pytest.fixture
def typescript_project(tmp_path: Path) -> Path:
    tools = require_schema_tools()
    project = tmp_path / "ts"
    project.mkdir()
    (project / "node_modules").symlink_to(TOOLS / "node_modules")
    (project / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    (project / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    shutil.copy(SCRIPT, project / "client.ts")
    # Without --default-non-nullable=false, a body field with a default (an
    # application's status) would have to be sent: defaults are the server's to fill in.
    run(
        [tools["openapi-typescript"], str(SCHEMA), "--output", "schema.d.ts",
         "--default-non-nullable=false"],
        project,
    )  # fmt: skip
    return project


def test_a_typescript_client_type_checks_and_works_against_a_live_server(
    typescript_project: Path, tmp_path: Path
) -> None:
    tools = require_schema_tools()
    run([tools["tsc"], "--strict", "-p", "tsconfig.json"], typescript_project)
    with live_server(tmp_path) as base_url:
        output = run(
            [tools["node"], "out/client.js"], typescript_project, FOLLOWUP_BASE_URL=base_url
        )
    assert "typescript client: ok" in output
