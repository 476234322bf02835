"""Skills: procedures written as ``SKILL.md`` files that agents load when a task calls for them.

A skill file is YAML front matter (``name``, ``description``) between ``---`` lines, then a
Markdown body::

    ---
    name: oom-triage
    description: How to tell a memory leak from an undersized limit
    ---
    1. Compare the container's limit with its working set over the last day...

They live in the config directory as ``skills/<name>/SKILL.md`` (room for a skill's notes beside
it) or flat as ``skills/<name>.md`` (a ConfigMap mounted at ``skills/`` cannot hold folders). A
skill's ``name`` must match its folder or file name, so a listing of the directory is a listing of
the skills. Every problem is reported with the file and line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from tarsy.config.errors import ConfigIssue
from tarsy.errors import TarsyError

SKILLS_DIR = "skills"
SKILL_FILE = "SKILL.md"
MAX_SKILL_BYTES = 64 * 1024
"""A skill is read into prompts whole: one larger than this is refused at start-up."""
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_FENCE = "---"


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    body: str
    source: str
    """Where it was read from, relative to the config directory (``skills/x/SKILL.md``)."""


class SkillFileError(TarsyError, ValueError):
    """A ``SKILL.md`` that cannot be read as a skill; ``issue`` locates it by file and line."""

    code = "invalid_skill"

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.issue = ConfigIssue(source, f"line {line}", message)


def parse_skill(text: str, source: str, expected_name: str | None = None) -> Skill:
    """One ``SKILL.md``; raises :class:`SkillFileError` naming the line that is wrong."""
    if len(text.encode()) > MAX_SKILL_BYTES:
        raise SkillFileError(source, 1, f"the file is larger than {MAX_SKILL_BYTES // 1024} KiB; split it")
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise SkillFileError(source, 1, "a skill starts with a '---' line, then 'name:' and 'description:'")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == _FENCE), None)
    if end is None:
        raise SkillFileError(source, len(lines), "the front matter has no closing '---' line")
    front = _front_matter("\n".join(lines[1:end]), source)
    name = _field(front, "name", source, lines, end)
    if not NAME_PATTERN.fullmatch(name):
        raise SkillFileError(source, _line_of(lines, "name", end), f"name {name!r}: use a-z, 0-9 and '-' (<= 64)")
    if expected_name is not None and name != expected_name:
        where = _line_of(lines, "name", end)
        raise SkillFileError(source, where, f"name {name!r} does not match its file or folder name {expected_name!r}")
    description = _field(front, "description", source, lines, end)
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise SkillFileError(source, end + 1, "the skill has no body after its front matter")
    return Skill(name, description, body, source)


def _front_matter(text: str, source: str) -> dict[str, object]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1: 0-based, +1: the opening '---'
        problem = getattr(exc, "problem", None) or str(exc)
        raise SkillFileError(source, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SkillFileError(source, 2, "front matter must be 'key: value' lines (name, description)")
    unknown = sorted(set(map(str, data)) - {"name", "description"})
    if unknown:
        raise SkillFileError(source, 2, f"unknown front matter key(s) {', '.join(unknown)}: only name, description")
    return data


def _field(front: dict[str, object], key: str, source: str, lines: list[str], end: int) -> str:
    value = front.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SkillFileError(source, _line_of(lines, key, end), f"front matter needs a non-empty '{key}:' text")
    return value.strip()


def _line_of(lines: list[str], key: str, end: int) -> int:
    """The line (1-based) of ``key:`` in the front matter; the first front matter line if absent."""
    for index in range(1, end):
        if lines[index].lstrip().startswith(f"{key}:"):
            return index + 1
    return 2


def load_skills(config_dir: Path) -> tuple[dict[str, Skill], list[ConfigIssue]]:
    """Every skill under ``config_dir/skills`` (both layouts); a missing folder means none."""
    root = config_dir / SKILLS_DIR
    if not root.is_dir():
        return {}, []
    files: list[tuple[Path, str]] = []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and (entry / SKILL_FILE).is_file():
            files.append((entry / SKILL_FILE, entry.name))
        elif entry.is_file() and entry.suffix == ".md" and not entry.name.startswith("."):
            files.append((entry, entry.stem))
    texts: dict[str, tuple[str, str]] = {}
    issues: list[ConfigIssue] = []
    for path, name in files:
        source = str(path.relative_to(config_dir))
        try:
            texts[source] = (path.read_text(encoding="utf-8"), name)
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(ConfigIssue(source, "", f"cannot read the skill: {exc}"))
    skills, parse_issues = parse_skills(texts)
    return skills, issues + parse_issues


def parse_skills(texts: Mapping[str, tuple[str, str]]) -> tuple[dict[str, Skill], list[ConfigIssue]]:
    """``{source: (text, expected name)}`` → skills by name, and every issue (duplicates too)."""
    skills: dict[str, Skill] = {}
    issues: list[ConfigIssue] = []
    for source, (text, name) in texts.items():
        try:
            skill = parse_skill(text, source, name)
        except SkillFileError as exc:
            issues.append(exc.issue)
            continue
        if skill.name in skills:
            other = skills[skill.name].source
            issues.append(ConfigIssue(source, "line 1", f"skill '{skill.name}' is also defined by {other}"))
            continue
        skills[skill.name] = skill
    return skills, issues
