"""The 15 built-in regex patterns and the pieces they are built from.

The patterns follow the Go TARSy rewrite (``pkg/config/builtin.go``): same names, same ``[MASKED_X]``
replacements, same intent. They differ where Go's behaviour leaked secrets or broke the text around
them; every difference is listed in ``docs/masking.md``. In short:

- Key/value patterns replace only the value. The key, its quotes and the separator stay as written,
  so ``"password": "x"`` stays valid JSON and ``password: x`` stays YAML.
- Quoted values are masked to the closing quote, so a passphrase with spaces does not leak its tail.
- Every repetition is possessive (Python 3.11) and every free-floating pattern starts only at the
  beginning of a run, so no input makes a pattern backtrack quadratically.

Patterns run in the order of ``BUILTIN_PATTERNS`` (most specific first), whatever order a
configuration names them in; see ``policy.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

Replacement = str | Callable[[re.Match[str]], str]
"""What ``re.sub`` accepts: a template (``\\1``, ``\\g<name>``) or a function of the match."""


@dataclass(frozen=True, slots=True)
class MaskingPattern:
    """One compiled regex and what replaces its matches."""

    name: str
    regex: re.Pattern[str]
    replacement: Replacement
    description: str
    keywords: tuple[str, ...] = ()
    """Literals of which every match contains at least one; empty (custom patterns): no pre-check."""
    ignore_case: bool = False
    """Whether ``keywords`` are lower case and compared with the lower-cased text."""

    def apply(self, text: str) -> str:
        return self.regex.sub(self.replacement, text)

    def could_match(self, text: str, lowered: str | None) -> bool:
        """A cheap necessary condition for a match: ``False`` only when the regex cannot match ``text``.

        ``lowered`` is ``text.lower()`` for an ASCII text and ``None`` otherwise: case-insensitive
        regexes match a few non-ASCII letters to ASCII ones (``ſ`` to ``s``, ``K`` to ``k``), which
        lower-casing does not reproduce, so a non-ASCII text skips the case-insensitive check.
        """
        if not self.keywords:
            return True
        if self.ignore_case:
            if lowered is None:
                return True
            text = lowered
        return any(keyword in text for keyword in self.keywords)


def lowered_if_ascii(text: str) -> str | None:
    """The ``lowered`` argument of ``MaskingPattern.could_match`` for ``text``."""
    return text.lower() if text.isascii() else None


# --- building blocks --------------------------------------------------------------------------------

# What sits between a key and its value: an optional closing quote of the key (possibly escaped, as in
# JSON embedded in a JSON string), then ``:`` or ``=`` with spaces or tabs around it. Newlines are not
# allowed: a key whose value starts on the next line is a nested YAML mapping, not a secret.
_SEPARATOR: Final = r"""\\?["']?[ \t]*+[:=][ \t]*+"""

# An optional opening quote (possibly escaped); it stays in place, as does the closing one.
_QUOTE_OPENER: Final = r"""(?:\\?["'])?+"""


def _restricted(charset: str, minimum: int, tail: str = "") -> str:
    r"""A value made of a restricted character set.

    ``(?!\()`` rejects ``cache_key = build_cache_key_for_user(...)``: a function call, not a secret.
    """
    return rf"{_QUOTE_OPENER}(?P<v>{charset}{{{minimum},}}+{tail})(?!\()"


def _free(minimum: int) -> str:
    r"""A value of any characters, read according to how it is quoted.

    ``"..."`` runs to the closing quote, honouring JSON escapes; ``'...'`` runs to the closing quote;
    ``\"...`` (JSON inside a JSON string) runs to the next backslash, so the escaped closing quote
    survives; a bare value runs to whitespace, a quote or an escaped ``\n``/``\r``/``\t`` (a line
    break inside a JSON string), keeping any other backslash with the character it escapes so that an
    escaped closing quote survives as well.
    """
    return (
        rf"""(?:"(?P<v_dq>(?:[^"\\\n]|\\.){{{minimum},}}+)"""
        rf"""|'(?P<v_sq>[^'\n]{{{minimum},}}+)"""
        rf"""|\\["'](?P<v_esc>[^"'\\\n]{{{minimum},}}+)"""
        rf"""|(?P<v_bare>(?:[^"'\s\\]|\\[^"'\snrt]){{{minimum},}}+))"""
    )


def _keyed(keys: str, value: str) -> str:
    # A value that an earlier pattern already replaced keeps that pattern's placeholder.
    return rf"(?:{keys}){_SEPARATOR}(?!\\?[\"']?\[MASKED_){value}"


def _mask_value_groups(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Replace only the value group(s) of a match: every group whose name starts with ``v``.

    A match with no value group (a bare token such as ``ghp_...``) is replaced whole.
    """

    def replace(match: re.Match[str]) -> str:
        text = match.string
        out: list[str] = []
        position = match.start()
        for name, value in match.groupdict().items():
            if value is None or not (name == "v" or name.startswith("v_")):
                continue
            start, end = match.span(name)
            out.append(text[position:start])
            out.append(placeholder)
            position = end
        if not out:
            return placeholder
        out.append(text[position : match.end()])
        return "".join(out)

    return replace


# --- base64 heuristics ------------------------------------------------------------------------------

# A "word" between separators: lower case and digits (hex, paths), upper case and digits (constants,
# upper-case UUIDs), or CamelCase with an optional trailing acronym and digits.
_WORD_SEGMENT: Final = re.compile(r"[a-z0-9]*+|[A-Z0-9]++|[a-z]*+(?:[A-Z][a-z]{2,}+)++[A-Z]*+[0-9]*+")
_SEGMENT_SEPARATORS: Final = re.compile(r"[/_\-]")
_SHORT_WORDS: Final = re.compile(r"[a-z]++|[A-Z]++|(?:[A-Z][a-z]{2,})++")
# Kubernetes quantities and Go durations: ``500m`` CPU, ``64Mi``, ``10Gi``, ``300s``, ``5m0s``.
_QUANTITY: Final = re.compile(r"(?:[0-9]++[A-Za-z]{1,2}+)++")


def _looks_like_long_base64(value: str) -> bool:
    """Whether a 20+ character run is worth masking as an encoded secret.

    Spared: runs made only of words between ``/ _ -`` separators, where a word is lower case and
    digits (git SHAs, sha256 digests, ``api/v1/namespaces/default``, pod names), upper case and
    digits (``KUBERNETES_SERVICE_HOST``) or CamelCase (``CreateContainerConfigError``,
    ``src/main/java/FooService``). Base64 of 15 or more random bytes almost never splits that way.
    """
    segments = _SEGMENT_SEPARATORS.split(value.rstrip("="))
    return not all(_WORD_SEGMENT.fullmatch(segment) for segment in segments)


def _looks_like_short_base64(value: str) -> bool:
    """Whether a 4-21 character value after ``: `` is worth masking as encoded data.

    Padded base64 (what Kubernetes writes) is always a multiple of 4 long, so ``Running`` and
    ``default`` are spared; so are numbers and single words (``frontend``, ``INFO``, ``Complete``,
    ``NodePort``, ``true``), and Kubernetes quantities and durations (``500m``, ``64Mi``, ``5m0s``).
    Encoded values almost always mix cases, digits or padding.
    """
    if len(value) % 4 or value.isdigit() or _QUANTITY.fullmatch(value):
        return False
    return _SHORT_WORDS.fullmatch(value) is None


def _mask_if(check: Callable[[str], bool], placeholder: str) -> Callable[[re.Match[str]], str]:
    """Replace group ``v`` only when ``check`` says it looks like a secret."""

    def replace(match: re.Match[str]) -> str:
        if not check(match.group("v")):
            return match.group(0)
        start, end = match.span("v")
        return match.string[match.start() : start] + placeholder + match.string[end : match.end()]

    return replace


# --- the 15 patterns ---------------------------------------------------------------------------------

# Token alphabets: JWTs, base64url, OpenShift ``sha256~...``; padding only at the end.
_TOKEN_CHARS: Final = r"[A-Za-z0-9_\-.~+/]"
_TOKEN_TAIL: Final = "=*+"
_I: Final = re.IGNORECASE


def _pattern(
    name: str, regex: str, placeholder: str, description: str, keywords: tuple[str, ...], flags: int = 0
) -> MaskingPattern:
    ignore_case = bool(flags & re.IGNORECASE)
    return MaskingPattern(
        name, re.compile(regex, flags), _mask_value_groups(placeholder), description, keywords, ignore_case
    )


_PATTERNS: Final = (
    MaskingPattern(
        "certificate",
        # BEGIN, then anything up to END without crossing another BEGIN/END line; the body is
        # consumed in possessive chunks so an unterminated BEGIN costs one linear scan.
        re.compile(r"-----BEGIN [A-Z0-9 ]++-----(?:[^-]++|-(?!----(?:BEGIN|END) ))*+-----END [A-Z0-9 ]++-----"),
        "[MASKED_CERTIFICATE]",
        "PEM blocks: certificates, private keys, CSRs",
        ("-----BEGIN ",),
    ),
    MaskingPattern(
        "ssh_key",
        re.compile(
            r"(?:ssh-(?:rsa|dss|ed25519|ecdsa)|ecdsa-sha2-nistp(?:256|384|521)"
            r"|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
            r"\s++AAAA[A-Za-z0-9+/]{8,}+={0,3}+"
        ),
        "[MASKED_SSH_KEY]",
        "SSH public keys (key type followed by an AAAA... body)",
        ("AAAA",),
    ),
    _pattern(
        "certificate_authority_data",
        # Also the client credentials of a kubeconfig user, which Go left to base64_secret (group all
        # only): a kubeconfig shown with the kubernetes group would otherwise leak its client key.
        _keyed(
            "(?:certificate-authority|client-certificate|client-key)-data",
            rf"{_QUOTE_OPENER}(?P<v>[A-Za-z0-9+/]{{20,}}+={{0,2}}+)",
        ),
        "[MASKED_CA_CERTIFICATE]",
        "base64 fields of kubeconfigs: certificate-authority-data, client-certificate-data, client-key-data",
        ("-data",),
        _I,
    ),
    _pattern(
        "aws_access_key",
        r"(?<![A-Za-z0-9])(?P<v>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])",
        "[MASKED_AWS_KEY]",
        "AWS access key ids (AKIA/ASIA + 16), with or without an aws_access_key_id key",
        ("AKIA", "ASIA"),
    ),
    _pattern(
        "aws_secret_key",
        _keyed(r"(?:aws[_-]?)?secret[_-]?access[_-]?key", _restricted("[A-Za-z0-9/+=]", 40)),
        "[MASKED_AWS_SECRET]",
        "AWS secret access keys (40 characters after aws_secret_access_key / SecretAccessKey)",
        ("access",),
        _I,
    ),
    _pattern(
        "github_token",
        r"(?<![A-Za-z0-9_])(?P<v_lit>gh[pousr]_[A-Za-z0-9_]{36,255}+|github_pat_[A-Za-z0-9_]{22,255}+)"
        r"|" + _keyed(r"github[_-]?token", _restricted(_TOKEN_CHARS, 20, _TOKEN_TAIL)),
        "[MASKED_GITHUB_TOKEN]",
        "GitHub tokens (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_) and values of github_token keys",
        ("gh", "github"),
        _I,
    ),
    _pattern(
        "slack_token",
        r"(?<![A-Za-z0-9])(?P<v>xox[baprs]-[A-Za-z0-9-]{10,}+)",
        "[MASKED_SLACK_TOKEN]",
        "Slack tokens (xoxb-, xoxp-, ...)",
        ("xox",),
        _I,
    ),
    _pattern(
        "private_key",
        _keyed(r"private[_-]?key", _free(20)),
        "[MASKED_PRIVATE_KEY]",
        "values of private_key keys (20+ characters)",
        ("private",),
        _I,
    ),
    _pattern(
        "secret_key",
        _keyed(r"secret(?:[_-]?key)?(?:[_-]?base)?", _free(20)),
        "[MASKED_SECRET_KEY]",
        "values of keys ending in secret, secret_key or secret_key_base (client_secret, SECRET_KEY_BASE),"
        " 20+ characters",
        ("secret",),
        _I,
    ),
    _pattern(
        "token",
        r"""--token(?:=|[ \t]++)(?:"(?P<v_fdq>[^"\n]++)"|'(?P<v_fsq>[^'\n]++)'|(?P<v_flag>[^\s"']++))"""
        rf"|bearer[ \t]++(?P<v_bearer>{_TOKEN_CHARS}{{20,}}+{_TOKEN_TAIL})"
        r"|" + _keyed(r"token|bearer|jwt", _restricted(_TOKEN_CHARS, 20, _TOKEN_TAIL)),
        "[MASKED_TOKEN]",
        "tokens: token/bearer/jwt keys (20+ characters), Bearer headers, --token flags",
        ("token", "bearer", "jwt"),
        _I,
    ),
    _pattern(
        "api_key",
        _keyed(r"api[_-]?key|apikey|key", _restricted(r"[A-Za-z0-9_\-+/]", 20, "=*+")),
        "[MASKED_API_KEY]",
        "values of keys ending in 'key' (api_key, apiKey, ...), 20+ characters",
        ("key",),
        _I,
    ),
    _pattern(
        "password",
        _keyed(r"password|passwd|pwd|pass", _free(6))
        # Credentials in a URL (``postgres://user:secret@db:5432``): the user stays, the password goes.
        + r"|(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*+://[^\s:/@\"']++:(?P<v_url>[^\s/@\"']++)@",
        "[MASKED_PASSWORD]",
        "values of password/passwd/pwd/pass keys (6+ characters; quoted values to the closing quote)"
        " and passwords in URLs (scheme://user:password@host)",
        ("pass", "pwd", "://"),
        _I,
    ),
    _pattern(
        "email",
        r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9]++(?:[.\-][A-Za-z0-9]++)*\.[A-Za-z]{2,63}\b",
        "[MASKED_EMAIL]",
        "email addresses",
        ("@",),
    ),
    MaskingPattern(
        "base64_secret",
        # The run includes ``_`` and ``-`` (base64url, JWT signatures, ``whsec_...`` prefixes);
        # identifiers made of such separators are then spared by ``_looks_like_long_base64``.
        re.compile(r"(?<![A-Za-z0-9+/_\-])(?P<v>[A-Za-z0-9+/_\-]{20,}+={0,2}+)(?![A-Za-z0-9+/=_\-])"),
        _mask_if(_looks_like_long_base64, "[MASKED_BASE64_VALUE]"),
        "base64-looking runs of 20+ characters (not hex digests, paths, identifiers or CamelCase words)",
    ),
    MaskingPattern(
        "base64_short",
        re.compile(r":\s++(?P<v>[A-Za-z0-9+/]{2,19}+={0,2}+)(?=\s|$)"),
        _mask_if(_looks_like_short_base64, "[MASKED_SHORT_BASE64]"),
        "padded base64 values of 4-21 characters after ': ' (Secret data in YAML)",
        (":",),
    ),
)

BUILTIN_PATTERNS: Final[Mapping[str, MaskingPattern]] = MappingProxyType({p.name: p for p in _PATTERNS})
"""The built-in patterns by name, in the order they run."""
