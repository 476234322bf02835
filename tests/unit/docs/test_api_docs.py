"""docs/api.md and the app's OpenAPI schema describe the same API, in both directions.

The format of docs/api.md this test reads (keep to it when documenting an endpoint):

- Every endpoint has a heading of level 3 whose text holds its method and path in backticks, e.g.
  ``### `POST /api/v1/alerts` — queue an investigation``. One heading may name several endpoints
  that share a section (``### `GET /a`, `GET /b```). Path parameters may have any name in braces
  (``{id}`` in the docs matches ``{session_id}`` in the schema).
- An endpoint's section runs to the next heading of level 1 to 3. In it:
  - every status code the endpoint answers is written in bold: ``**202**``, ``**400**``;
  - a table whose first header cell is ``body field`` lists the top-level fields of the JSON body,
    in backticks in the first cell (several in one cell are fine: `` `a`, `b` ``);
  - a table whose first header cell is ``parameter`` lists the query parameters the same way.
- The ``## Errors`` section holds a table ``| status | `code` | when |`` of every error ``code``.

Checked: the same endpoints on both sides; for each, the same body fields and query parameters;
every documented status is in the schema, and every status of the schema is documented (except
422, which the Errors table documents for every endpoint that takes input); every documented error
code is one the API answers, with the status it answers it with, and every code it answers is
documented.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import tarsy
from tarsy.api.app import create_app
from tarsy.api.errors import COMMON_RESPONSES, install_error_handlers
from tarsy.errors import TarsyError
from tarsy.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "api.md"
API_SOURCE = ROOT / "tarsy" / "api"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ENDPOINT = re.compile(rf"`({'|'.join(METHODS)}) (/[^`\s]*)`")
HEADING = re.compile(r"^(#{1,6}) (.*)$")
STATUS = re.compile(r"\*\*([1-5]\d\d)\*\*")
NAME = re.compile(r"`([^`]+)`")
# Answered by any route and documented once, under "Errors": validation, authentication, an outage.
GENERIC_STATUSES = {str(code) for code in (422, *COMMON_RESPONSES)}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@dataclass
class DocEndpoint:
    statuses: set[str] = field(default_factory=set)
    body: set[str] | None = None
    query: set[str] = field(default_factory=set)


def _tables(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(first header cell, first cells of the rows) of each markdown table in ``lines``."""
    tables: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        if lines[index].startswith("|") and index + 1 < len(lines) and lines[index + 1].startswith("|---"):
            header = lines[index].strip("|").split("|")[0].strip()
            rows = []
            index += 2
            while index < len(lines) and lines[index].startswith("|"):
                rows.append(lines[index].strip("|").split("|")[0].strip())
                index += 1
            tables.append((header, rows))
        else:
            index += 1
    return tables


def _names(cells: list[str]) -> set[str]:
    return {name for cell in cells for name in NAME.findall(cell)}


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, body lines) of every heading of level 1-3."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = HEADING.match(line)
        if match and len(match.group(1)) <= 3:
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def documented_endpoints(text: str) -> dict[tuple[str, str], DocEndpoint]:
    found: dict[tuple[str, str], DocEndpoint] = {}
    for heading, lines in _sections(text):
        if not heading.startswith("### "):
            continue
        entry = DocEndpoint(statuses=set(STATUS.findall("\n".join(lines))))
        for header, rows in _tables(lines):
            if header == "body field":
                entry.body = _names(rows)
            elif header == "parameter":
                entry.query = _names(rows)
        for method, path in ENDPOINT.findall(heading):
            key = (method, _normalise(path))
            assert key not in found, f"{method} {path} has two sections in {DOC.name}"
            found[key] = entry
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    spec: dict[str, Any] = create_app(Settings.from_env({})).openapi()
    return spec


@pytest.fixture(scope="module")
def docs() -> dict[tuple[str, str], DocEndpoint]:
    return documented_endpoints(DOC.read_text("utf-8"))


def _operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), _normalise(path)): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def _body_fields(schema: dict[str, Any], operation: dict[str, Any]) -> set[str] | None:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None
    body = next(iter(content.values()))["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return set(body.get("properties", {}))


def test_every_route_is_documented_and_every_documented_endpoint_exists(
    schema: dict[str, Any], docs: dict[tuple[str, str], DocEndpoint]
) -> None:
    routes = set(_operations(schema))
    assert sorted(routes - set(docs)) == [], f"routes missing from {DOC.name}"
    assert sorted(set(docs) - routes) == [], f"documented in {DOC.name} but not served"


def test_request_bodies_match(schema: dict[str, Any], docs: dict[tuple[str, str], DocEndpoint]) -> None:
    problems = []
    for key, operation in _operations(schema).items():
        if key not in docs:
            continue
        served, documented = _body_fields(schema, operation), docs[key].body
        if served != documented:
            problems.append(f"{' '.join(key)}: schema body fields {served}, documented {documented}")
    assert problems == []


def test_query_parameters_match(schema: dict[str, Any], docs: dict[tuple[str, str], DocEndpoint]) -> None:
    problems = []
    for key, operation in _operations(schema).items():
        if key not in docs:
            continue
        served = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if served != docs[key].query:
            problems.append(f"{' '.join(key)}: schema query parameters {served}, documented {docs[key].query}")
    assert problems == []


def test_statuses_match(schema: dict[str, Any], docs: dict[tuple[str, str], DocEndpoint]) -> None:
    problems = []
    for key, operation in _operations(schema).items():
        if key not in docs:
            continue
        served, documented = set(operation["responses"]), docs[key].statuses
        if documented - served:
            problems.append(f"{' '.join(key)}: documents {sorted(documented - served)}, not in the schema")
        if served - documented - GENERIC_STATUSES:
            problems.append(f"{' '.join(key)}: answers {sorted(served - documented - GENERIC_STATUSES)}, undocumented")
    assert problems == []


def _error_table(text: str) -> dict[str, str]:
    """``code`` → status of the Errors table (rows without a code, ``—``, are skipped)."""
    lines = dict(_sections(text))["## Errors"]
    rows: dict[str, str] = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and cells[0].isdigit():
            rows.update(dict.fromkeys(NAME.findall(cells[1]), cells[0]))
    return rows


def _tarsy_errors() -> list[type[TarsyError]]:
    for module in pkgutil.walk_packages(tarsy.__path__, "tarsy."):
        importlib.import_module(module.name)
    found: list[type[TarsyError]] = []
    pending: list[type[TarsyError]] = [TarsyError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def _handled_codes() -> dict[str, int]:
    """code → status for every TarsyError the error handlers answer with something but a 500."""
    app = FastAPI()
    install_error_handlers(app)
    kinds = {kind.__name__: kind for kind in _tarsy_errors()}

    @app.get("/raise/{name}")
    async def raise_(name: str) -> None:
        error = kinds[name].__new__(kinds[name])
        TarsyError.__init__(error, "planted")
        raise error

    handled: dict[str, int] = {}
    with TestClient(app, raise_server_exceptions=False) as client:
        for name in kinds:
            response = client.get(f"/raise/{name}")
            if response.status_code != 500:
                handled[response.json()["error"]["code"]] = response.status_code
    return handled


def _codes_in_api_source() -> set[str]:
    """Codes the API writes literally, and codes of TarsyErrors its routes catch and answer."""
    kinds = {kind.__name__: kind.code for kind in _tarsy_errors()}
    codes: set[str] = set()
    for path in API_SOURCE.rglob("*.py"):
        source = path.read_text("utf-8")
        codes.update(re.findall(r'"code":\s*"([a-z_]+)"', source))
        codes.update(re.findall(r'_body\(\s*"([a-z_]+)"', source))
        codes.update(re.findall(r'\b[1-5]\d\d: "([a-z_]+)"', source))  # status -> code tables
        codes.update(kinds[name] for name in re.findall(r"except (\w+)", source) if name in kinds)
    return codes


def test_error_codes_match() -> None:
    documented = _error_table(DOC.read_text("utf-8"))
    handled = _handled_codes()
    answered = set(handled) | _codes_in_api_source()
    assert sorted(set(documented) - answered) == [], "documented error codes the API never answers"
    assert sorted(answered - set(documented)) == [], "error codes the API answers, undocumented"
    wrong = {code: (documented[code], status) for code, status in handled.items() if documented[code] != str(status)}
    assert wrong == {}, "documented status differs from the one answered (documented, answered)"


def test_the_parser_reads_the_documented_format() -> None:
    text = (
        "## Things\n\n### `POST /api/v1/things/{id}`, `GET /api/v1/things/{id}` — things\n\n"
        "**202** `{id}`; **400** bad.\n\n| body field | |\n|---|---|\n| `name`, `size` | |\n| `kind` | |\n\n"
        "| parameter | |\n|---|---|\n| `page` | |\n\n### Not an endpoint\n\n**500** elsewhere\n"
    )
    parsed = documented_endpoints(text)
    assert set(parsed) == {("POST", "/api/v1/things/{}"), ("GET", "/api/v1/things/{}")}
    entry = parsed[("POST", "/api/v1/things/{}")]
    assert (entry.statuses, entry.body, entry.query) == ({"202", "400"}, {"name", "size", "kind"}, {"page"})
