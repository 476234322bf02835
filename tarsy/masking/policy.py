"""Which maskers run: groups, pattern names and custom patterns resolved into a frozen policy.

A policy is built once per configuration (per MCP server, and once for alerts) and then shared:
it holds compiled regexes only, so masking never compiles anything and never fails on a bad
pattern at run time. Unknown names and invalid regexes are configuration errors, raised here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Protocol

from tarsy.errors import TarsyError
from tarsy.masking.kubernetes_secret import mask_kubernetes_secrets
from tarsy.masking.patterns import BUILTIN_PATTERNS, MaskingPattern

KUBERNETES_SECRET: Final = "kubernetes_secret"

CODE_MASKERS: Final[Mapping[str, Callable[[str], str]]] = MappingProxyType({KUBERNETES_SECRET: mask_kubernetes_secrets})
"""Structural maskers by name; they run before every regex."""

PATTERN_GROUPS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "basic": ("api_key", "password"),
        "secrets": ("api_key", "password", "token", "private_key", "secret_key"),
        "security": (
            "api_key",
            "password",
            "token",
            "certificate",
            "certificate_authority_data",
            "email",
            "ssh_key",
        ),
        "kubernetes": (KUBERNETES_SECRET, "api_key", "password", "certificate_authority_data"),
        "cloud": ("aws_access_key", "aws_secret_key", "api_key", "token"),
        "all": (KUBERNETES_SECRET, *BUILTIN_PATTERNS),
    }
)
"""Named sets of maskers, as in the Go rewrite (``initBuiltinPatternGroups``)."""

KNOWN_NAMES: Final = frozenset(CODE_MASKERS) | frozenset(BUILTIN_PATTERNS)


class MaskingConfigError(TarsyError, ValueError):
    """A masking configuration names something unknown or holds an unusable regex.

    A ``ValueError`` too, so that it can be raised from a pydantic validator.
    """

    code = "invalid_masking_config"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class CustomPatternSpec(Protocol):
    """What a custom pattern needs; the config model ``CustomMaskingPattern`` has this shape."""

    @property
    def pattern(self) -> str: ...

    @property
    def replacement(self) -> str: ...

    @property
    def description(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CustomPattern:
    """A regex from configuration. ``replacement`` is a Python ``re`` template (``\\1``, ``\\g<name>``)."""

    pattern: str
    replacement: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class MaskingPolicy:
    """Resolved maskers in the order they run: structural maskers, then regexes.

    Built-in regexes run in their fixed order (most specific first) whatever order the configuration
    lists them in; custom patterns run last, in configuration order (as in the Go rewrite).
    """

    code_maskers: tuple[str, ...] = ()
    patterns: tuple[MaskingPattern, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return self.code_maskers + tuple(p.name for p in self.patterns)

    @property
    def is_empty(self) -> bool:
        return not self.code_maskers and not self.patterns

    def uses(self, name: str) -> bool:
        return name in self.names


def build_policy(
    groups: Iterable[str] = (),
    patterns: Iterable[str] = (),
    custom_patterns: Iterable[CustomPatternSpec] = (),
) -> MaskingPolicy:
    """Resolve group names, pattern names and custom patterns into a policy.

    Raises ``MaskingConfigError`` listing every unknown name (with the allowed ones) and every custom
    pattern that does not compile, has an unusable replacement, or matches the empty string.
    """
    if isinstance(groups, str) or isinstance(patterns, str):
        # A string is an iterable of names too; "all" would read as the groups "a", "l", "l".
        raise TypeError("groups and patterns take a list of names, not a single string")
    problems: list[str] = []
    wanted: set[str] = set()
    for group in groups:
        if group in PATTERN_GROUPS:
            wanted.update(PATTERN_GROUPS[group])
        else:
            problems.append(f"unknown masking group {group!r}; allowed: {', '.join(sorted(PATTERN_GROUPS))}")
    for name in patterns:
        if name in KNOWN_NAMES:
            wanted.add(name)
        else:
            problems.append(f"unknown masking pattern {name!r}; allowed: {', '.join(sorted(KNOWN_NAMES))}")
    custom: list[MaskingPattern] = []
    for index, spec in enumerate(custom_patterns):
        compiled = _compile_custom(index, spec, problems)
        if compiled is not None:
            custom.append(compiled)
    if problems:
        raise MaskingConfigError(problems)
    return MaskingPolicy(
        code_maskers=tuple(name for name in CODE_MASKERS if name in wanted),
        patterns=tuple(p for name, p in BUILTIN_PATTERNS.items() if name in wanted) + tuple(custom),
    )


def _compile_custom(index: int, spec: CustomPatternSpec, problems: list[str]) -> MaskingPattern | None:
    name = f"custom:{index}"
    label = f"custom pattern {index}" + (f" ({spec.description})" if spec.description else "")
    try:
        regex = re.compile(spec.pattern)
    except re.error as exc:
        problems.append(f"{label}: invalid regex {spec.pattern!r}: {exc}")
        return None
    if regex.match("") is not None:
        problems.append(f"{label}: regex {spec.pattern!r} matches the empty string")
        return None
    try:
        # Python parses the replacement template on every call, even without a match, so this
        # rejects bad escapes and references to groups the regex does not have.
        regex.sub(spec.replacement, "")
    except (re.error, IndexError) as exc:
        problems.append(f"{label}: invalid replacement {spec.replacement!r}: {exc}")
        return None
    return MaskingPattern(name, regex, spec.replacement, spec.description or name)
