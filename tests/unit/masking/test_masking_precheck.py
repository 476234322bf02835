"""The keyword pre-check (``MaskingPattern.could_match``) never changes a masked output.

``mask_text`` skips a pattern whose keywords are all absent from the text. These properties build
texts from slices of the secret corpus plus noise (including the non-ASCII letters that
case-insensitive regexes match to ASCII ones) and check that the result equals applying every
pattern unconditionally, and that no pattern is ever skipped on a text it matches.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tarsy.masking import build_policy, mask_text
from tarsy.masking.patterns import BUILTIN_PATTERNS, lowered_if_ascii
from tarsy.masking.policy import CODE_MASKERS, PATTERN_GROUPS, CustomPattern, MaskingPolicy
from tests.unit.masking.corpus import load_cases

_INPUTS = [case.input for case in load_cases()]
_NOISE = [
    " ", "\n", "\t", ": ", "=", '"', "'", "\\", "\\n", "@", "://", "-", "_", "[MASKED_", "key", "KEY",
    "token", "pass", "secret", "ſ", "K", "İ", "ı", "é", "ß", "AAAA", "AKIA", "-----BEGIN ", "xox", "gh",
]  # fmt: skip

_POLICIES = [build_policy(groups=[group]) for group in PATTERN_GROUPS] + [
    build_policy(
        groups=["all"],
        custom_patterns=[CustomPattern(r"(?i)internal-id-\d+", "[MASKED_ID]", "ids"), CustomPattern("r", "K", "x")],
    )
]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """Slices of corpus inputs joined with noise, so keywords and values meet in new combinations."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        source = draw(st.sampled_from(_INPUTS))
        start = draw(st.integers(0, len(source)))
        parts.append(source[start : start + draw(st.integers(0, 400))])
        parts.append("".join(draw(st.lists(st.sampled_from(_NOISE), max_size=6))))
        parts.append(draw(st.text(max_size=12)))
    return "".join(parts)


def _unchecked(text: str, policy: MaskingPolicy) -> str:
    """``mask_text`` as it was before the pre-check: every pattern applied in turn."""
    for name in policy.code_maskers:
        text = CODE_MASKERS[name](text)
    for pattern in policy.patterns:
        text = pattern.regex.sub(pattern.replacement, text)
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts(), policy_index=st.integers(0, len(_POLICIES) - 1))
def test_mask_text_equals_every_pattern_applied(text: str, policy_index: int) -> None:
    policy = _POLICIES[policy_index]
    assert mask_text(text, policy) == _unchecked(text, policy)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts())
def test_no_pattern_is_skipped_on_a_text_it_matches(text: str) -> None:
    lowered = lowered_if_ascii(text)
    for pattern in BUILTIN_PATTERNS.values():
        if pattern.regex.search(text) is not None:
            assert pattern.could_match(text, lowered), pattern.name


def test_corpus_inputs_mask_as_before() -> None:
    for text in _INPUTS:
        for policy in _POLICIES:
            assert mask_text(text, policy) == _unchecked(text, policy)


def test_keywords_skip_patterns_that_cannot_match() -> None:
    """The pre-check does skip: a plain text rules out every keyed pattern."""
    text = "pod web-1 Running on node-3"
    skipped = {p.name for p in BUILTIN_PATTERNS.values() if not p.could_match(text, lowered_if_ascii(text))}
    assert skipped == set(BUILTIN_PATTERNS) - {"base64_secret"}


def test_non_ascii_text_keeps_case_insensitive_patterns() -> None:
    """``ſ`` matches ``s`` under IGNORECASE, which lower-casing does not see: no skipping then."""
    text = "paſſword: hunter22"
    assert mask_text(text, build_policy(patterns=["password"])) == "paſſword: [MASKED_PASSWORD]"
    assert BUILTIN_PATTERNS["password"].could_match(text, lowered_if_ascii(text))


def test_custom_patterns_are_always_applied() -> None:
    policy = build_policy(custom_patterns=[CustomPattern(r"internal-id-\d+", "[MASKED_ID]", "ids")])
    assert all(pattern.keywords == () for pattern in policy.patterns)
    assert mask_text("see internal-id-42", policy) == "see [MASKED_ID]"
