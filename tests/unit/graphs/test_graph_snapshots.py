"""Snapshots of compiled graph topology: every built-in and example chain, drawn as mermaid.

``tests/golden/graphs/<source>__<chain>.mmd`` holds ``graph.get_graph().draw_mermaid()`` of each
chain (``source`` is ``builtin`` or the example directory under ``deploy/config/examples``), and
``agent.mmd`` the agent loop every stage, synthesis and summary runs. Regenerate with
``TARSY_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/unit/graphs`` and review the diff.

Why not ``get_graph(xray=True)``: the agent loop is invoked from inside the branch, synthesis and
summary nodes (so its transcript stays out of the session state), not added as a node. LangGraph's
xray then only finds the subgraph where a node function closes over it directly (``exec_summary``)
and misses it in the stage branches and synthesis nodes, so the expanded drawing would be partial and misleading.
The loop is drawn once on its own instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tarsy.graphs.compiler import build_chain_graph
from tarsy.nodes.agent import build_agent_graph
from tests.support.goldens import UPDATE_ENV, check_golden, remove, rewrite, updating
from tests.unit.graphs.cases import GOLDEN_DIR, ROOT, ChainCase, chain_cases, load_example

AGENT_GOLDEN = GOLDEN_DIR / "agent.mmd"
CASES = chain_cases()
CHAINS_DOC = ROOT / "docs" / "chains.md"
# The drawing docs/chains.md embeds, under a marker comment naming its case.
DOC_DRAWING = re.compile(r"(<!-- graph: (?P<case>\S+) .*?-->\n```mermaid\n)(?P<drawing>.*?)(```)", re.DOTALL)


def _check(path: Path, actual: str) -> None:
    check_golden(path, actual, produced="drawn now")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_chain_graph_matches_its_drawing(case: ChainCase) -> None:
    graph = build_chain_graph(case.config(), case.chain_id)

    _check(case.golden, graph.get_graph().draw_mermaid())


def test_agent_loop_matches_its_drawing() -> None:
    _check(AGENT_GOLDEN, build_agent_graph().get_graph().draw_mermaid())


def test_every_golden_drawing_belongs_to_a_chain() -> None:
    expected = {case.golden.name for case in CASES} | {AGENT_GOLDEN.name}
    stale = sorted(path for path in GOLDEN_DIR.glob("*.mmd") if path.name not in expected)
    if stale and updating():
        for path in stale:
            remove(path)
        return
    assert not stale, f"drawings of chains that no longer exist (delete them, or run with {UPDATE_ENV}=1): {stale}"


def test_the_documented_examples_are_all_pinned() -> None:
    # docs/chains.md and deploy/config/README.md describe these four; each must stay drawn.
    sources = {case.source for case in CASES}

    assert {"builtin", "single-agent", "multi-stage", "parallel-synthesis", "replicas"} <= sources


def test_the_drawing_in_docs_chains_md_is_the_compiled_graph() -> None:
    text = CHAINS_DOC.read_text(encoding="utf-8")
    found = DOC_DRAWING.search(text)
    assert found is not None, f"no '<!-- graph: <case> -->' mermaid block in {CHAINS_DOC}"
    example, chain_id = found["case"].split("__")
    drawing = build_chain_graph(load_example(example), chain_id).get_graph().draw_mermaid()
    if updating():
        rewrite(CHAINS_DOC, text[: found.start("drawing")] + drawing + text[found.end("drawing") :])
        return

    assert found["drawing"] == drawing, f"the drawing in {CHAINS_DOC.name} is stale; regenerate with {UPDATE_ENV}=1"
