"""Judging an analysis: a fixed rubric for an LLM judge, a tolerant reader of its verdict, and the
rule that combines it with the exact checks (docs/evals.md "How results are judged").

The rule, per item:

- a **fact** without ``match_any`` is found when the judge says it is stated; a fact with
  ``match_any`` is found only when the judge says so **and** one of its strings is in the analysis
  (the string guards against a judge that reads too kindly, the judge against a string that
  appears by chance);
- a **forbidden** answer without ``match_any`` is given when the judge says so; one with
  ``match_any`` is given only when the judge says so **and** one of its strings is in the
  analysis (a string alone cannot tell "the node ran out of memory" from "the node did not run
  out of memory").

Offline, the judge is scripted: its verdict per item is the exact check (a fact without
``match_any`` is taken as stated, as the reference analysis states every fact by construction).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from langchain_core.messages import HumanMessage, SystemMessage

from tarsy.evals.scenario import Check, Scenario, contains_any
from tarsy.json_objects import json_objects

MAX_REASON_CHARS: Final = 500

RUBRIC: Final = """\
You are the evaluation judge of TARSy, an AI SRE. You grade one investigation report against a
fixed list of facts and forbidden answers. You judge only what the report says; you do not know
the cluster and must not guess.

Rules:
1. A fact is STATED when the report asserts it as part of its findings or conclusions, in any
   wording: synonyms, equivalent numbers and units count ("256 MiB" states "256Mi"). A fact
   mentioned only as a question, a possibility that is then rejected, or a generic checklist item
   is NOT stated.
2. A forbidden answer is GIVEN when the report asserts it as a cause, a finding or a
   recommendation. Mentioning it in order to rule it out is NOT giving it.
3. Judge each item on its own, against its description. Be strict: when in doubt, a fact is not
   stated and a forbidden answer is not given.
4. Give a one-sentence reason for every item, quoting the report where you can.

Answer with one JSON object and nothing else:
{"facts": [{"id": "<fact id>", "stated": true|false, "reason": "<one sentence>"}],
 "forbidden": [{"id": "<forbidden id>", "given": true|false, "reason": "<one sentence>"}]}
Include every id you were given, exactly once."""


@dataclass(frozen=True)
class ItemVerdict:
    id: str
    kind: Literal["fact", "forbidden"]
    judge: bool | None
    """The judge's verdict (stated / given); None when its answer had none for this item."""
    exact: bool | None
    """Whether a ``match_any`` string is in the analysis; None when the item has none."""
    reason: str

    @property
    def holds(self) -> bool:
        """Fact: found. Forbidden: given. Both need the judge; with ``match_any``, the string too."""
        return bool(self.judge) and self.exact is not False


@dataclass(frozen=True)
class Verdict:
    items: list[ItemVerdict]
    judge_error: str | None = None
    """Why the judge's answer could not be used at all (then no fact counts as found)."""

    @property
    def facts(self) -> list[ItemVerdict]:
        return [i for i in self.items if i.kind == "fact"]

    @property
    def forbidden(self) -> list[ItemVerdict]:
        return [i for i in self.items if i.kind == "forbidden"]


def judge_messages(scenario: Scenario, analysis: str) -> list[SystemMessage | HumanMessage]:
    """The judge's prompt: the fixed rubric, then the items and the report."""
    expected = scenario.spec.expected
    items = {
        "facts": [{"id": f.id, "description": f.description} for f in expected.facts],
        "forbidden": [{"id": f.id, "description": f.description} for f in expected.forbidden],
    }
    body = (
        f"Items to judge:\n{json.dumps(items, indent=2)}\n\n"
        f"Investigation report:\n<report>\n{analysis}\n</report>\n\nAnswer with the JSON object only."
    )
    return [SystemMessage(RUBRIC), HumanMessage(body)]


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "stated", "given", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "not stated", "not given", "0"):
        return False
    return None


def parse_verdict(text: str) -> dict[str, tuple[bool, str]]:
    """``{id: (verdict, reason)}`` from a judge's answer, however it was wrapped.

    Takes the first object with a ``facts`` or ``forbidden`` list; an entry without a readable
    id or verdict is skipped (its item then has no judge verdict). Raises ``ValueError`` when no
    such object is found.
    """
    for obj in json_objects(text):
        if not isinstance(obj.get("facts"), list) and not isinstance(obj.get("forbidden"), list):
            continue
        verdicts: dict[str, tuple[bool, str]] = {}
        for key, flag in (("facts", "stated"), ("forbidden", "given")):
            for entry in obj.get(key) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    continue
                value = _flag(entry.get(flag, entry.get("verdict")))
                if value is not None:
                    verdicts.setdefault(entry["id"], (value, str(entry.get("reason", ""))[:MAX_REASON_CHARS]))
        return verdicts
    raise ValueError("no JSON object with 'facts' or 'forbidden' in the judge's answer")


def _exact(check: Check, analysis: str) -> bool | None:
    return None if not check.match_any else contains_any(analysis, check.match_any) is not None


def combine(scenario: Scenario, analysis: str, verdicts: dict[str, tuple[bool, str]]) -> list[ItemVerdict]:
    items: list[ItemVerdict] = []
    expected = scenario.spec.expected
    pairs: list[tuple[Literal["fact", "forbidden"], Check]] = [("fact", f) for f in expected.facts]
    pairs += [("forbidden", f) for f in expected.forbidden]
    for kind, check in pairs:
        judged = verdicts.get(check.id)
        reason = judged[1] if judged else "the judge gave no verdict for this item"
        items.append(ItemVerdict(check.id, kind, judged[0] if judged else None, _exact(check, analysis), reason))
    return items


AskJudge = Callable[[list[SystemMessage | HumanMessage]], Awaitable[str]]


async def judge(scenario: Scenario, analysis: str, ask: AskJudge) -> Verdict:
    """The combined verdict; ``ask`` sends the rubric prompt to the judge model and returns its text."""
    text = await ask(judge_messages(scenario, analysis))
    try:
        verdicts = parse_verdict(text)
    except ValueError as exc:
        return Verdict(combine(scenario, analysis, {}), judge_error=str(exc))
    return Verdict(combine(scenario, analysis, verdicts))


def scripted_verdict(scenario: Scenario, analysis: str) -> str:
    """The offline judge's answer, as JSON a real judge would give: its verdicts are the exact checks."""
    expected = scenario.spec.expected
    reason = "offline scripted judge: verdict from the exact check"
    facts = [{"id": f.id, "stated": _exact(f, analysis) is not False, "reason": reason} for f in expected.facts]
    forbidden = [{"id": f.id, "given": bool(_exact(f, analysis)), "reason": reason} for f in expected.forbidden]
    return json.dumps({"facts": facts, "forbidden": forbidden})
