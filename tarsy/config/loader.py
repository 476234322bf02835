"""Loading the configuration: read, expand ``${VAR}``, merge over built-ins, validate, check references."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tarsy.config.build import build_config
from tarsy.config.builtin import builtin_documents
from tarsy.config.documents import (
    PROVIDERS_FILE,
    SECTIONS_BY_FILE,
    TARSY_FILE,
    ConfigDocument,
    check_document,
    read_document,
)
from tarsy.config.errors import ConfigError, ConfigIssue
from tarsy.config.expand import expand_env
from tarsy.config.merge import merge_documents
from tarsy.config.models import SkillConfig, TarsyConfig
from tarsy.config.skills import Skill, load_skills, parse_skills
from tarsy.config.validate import validate_references
from tarsy.settings import process_environment


def load_config(config_dir: Path | None, env: Mapping[str, str] | None = None) -> TarsyConfig:
    """Load ``tarsy.yaml``, ``llm-providers.yaml`` and ``skills/`` from ``config_dir`` over the built-ins.

    Any of them may be absent; ``None`` means built-ins only. ``env`` (default ``os.environ``)
    feeds ``${VAR}`` expansion. Raises :class:`ConfigError` listing every issue found.
    """
    documents: list[ConfigDocument] = []
    issues: list[ConfigIssue] = []
    skills: dict[str, Skill] = {}
    if config_dir is not None:
        if not config_dir.is_dir():
            raise ConfigError([ConfigIssue(str(config_dir), "", "config directory does not exist")])
        for name, allowed in SECTIONS_BY_FILE.items():
            document, read_issues = read_document(config_dir / name, allowed)
            documents.append(document)
            issues += read_issues
        skills, skill_issues = load_skills(config_dir)
        issues += skill_issues
    return _assemble(documents, issues, env, skills)


def load_config_from_data(
    tarsy: Mapping[str, object] | None = None,
    llm_providers: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    skills: Mapping[str, str] | None = None,
) -> TarsyConfig:
    """Like :func:`load_config`, from already-parsed file contents (for tests and embedding apps).

    ``tarsy`` is the content of a ``tarsy.yaml`` and ``llm_providers`` that of an
    ``llm-providers.yaml`` (``{"llm_providers": {...}}``); issues name those files. ``skills``
    maps a skill's name to its ``SKILL.md`` text.
    """
    documents: list[ConfigDocument] = []
    issues: list[ConfigIssue] = []
    for name, data in ((TARSY_FILE, tarsy), (PROVIDERS_FILE, llm_providers)):
        plain = dict(data) if isinstance(data, Mapping) else data
        document, check_issues = check_document(plain, name, SECTIONS_BY_FILE[name])
        documents.append(document)
        issues += check_issues
    texts = {f"skills/{name}/SKILL.md": (text, name) for name, text in (skills or {}).items()}
    parsed, skill_issues = parse_skills(texts)
    return _assemble(documents, issues + skill_issues, env, parsed)


def _assemble(
    user_documents: list[ConfigDocument],
    read_issues: list[ConfigIssue],
    env: Mapping[str, str] | None,
    skills: Mapping[str, Skill],
) -> TarsyConfig:
    env = process_environment() if env is None else env
    builtins, issues = builtin_documents()
    issues += read_issues
    expanded: list[ConfigDocument] = []
    expansion_issues: list[ConfigIssue] = []
    for document in [*builtins, *user_documents]:
        data, document_issues = expand_env(document.data, env, document.file)
        assert isinstance(data, dict)  # expansion keeps the shape of what it is given
        expanded.append(ConfigDocument(document.file, data))
        expansion_issues += document_issues
    merged, merge_issues = merge_documents(expanded)
    built = build_config(merged)
    loaded = {
        n: SkillConfig(name=s.name, description=s.description, body=s.body, source=s.source) for n, s in skills.items()
    }
    config = built.config.model_copy(update={"skills": loaded})
    # A value whose ${VAR} failed stays unexpanded; its validation error would only repeat the issue.
    unexpanded = {(issue.file, issue.path) for issue in expansion_issues}
    issues += expansion_issues + merge_issues
    issues += [issue for issue in built.issues if (issue.file, issue.path) not in unexpanded]
    # A file that could not be read at all (path "") would make every reference into it look unknown.
    if not any(issue.path == "" for issue in issues):
        issues += validate_references(config, merged.provenance, built.broken)
    if issues:
        raise ConfigError(issues)
    return config
