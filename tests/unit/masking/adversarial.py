"""About 1 MB of adversarial text per case, each aimed at one masking pattern's worst input: long
runs a pattern starts on but cannot finish, unterminated blocks, deep nesting. A backtracking regex
takes minutes on these. Used by ``test_masking_adversarial.py`` (results) and ``bench/masking.py``
(timings).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable

MB = 1_000_000


def _secret_list_json() -> str:
    items = [{"kind": "Secret", "metadata": {"name": f"s{i}"}, "data": {"k": "dmFsdWU="}} for i in range(14_000)]
    return json.dumps({"kind": "SecretList", "items": items})


def _secret_list_yaml() -> str:
    items = "".join(
        f"- kind: Secret\n  metadata:\n    name: s{i}\n  data:\n    k{i}: dmFsdWVz\n" for i in range(14_000)
    )
    return "apiVersion: v1\nkind: SecretList\nitems:\n" + items


def _log_lines() -> str:
    return "".join(
        f"2024-05-01T10:00:{i % 60:02d}Z INFO pod api-{i} ready token=abc{i} user{i}@example.com\n"
        for i in range(14_000)
    )


INPUTS: dict[str, Callable[[], str]] = {
    "letters": lambda: "a" * MB,
    "email_local_parts": lambda: "a." * (MB // 2),
    "at_signs": lambda: "a@b." * (MB // 4),
    "begin_without_end": lambda: "-----BEGIN CERTIFICATE-----\nMIIB\n" * (MB // 34),
    "keys_then_spaces": lambda: ("password:" + " " * 90 + "\n") * (MB // 100),
    "keys_without_values": lambda: "api_key=token=secret_key=password=" * (MB // 34),
    "unterminated_quote": lambda: 'password: "' + "x" * MB,
    "backslashes": lambda: "password=" + "\\" * MB,
    "base64_run": lambda: base64.b64encode(random.Random(0).randbytes(750_000)).decode(),
    "url_scheme_run": lambda: "a" * MB + "://",
    "kind_secret_prose": lambda: "kind: Secret " * (MB // 13),
    "deep_flow_nesting": lambda: "kind: Secret\n" + "[" * (MB // 2) + "]" * (MB // 2),
    "deep_block_nesting": lambda: "kind: Secret\n---\n" + "- " * (MB // 2) + "x\n",
    "secret_list_json": _secret_list_json,
    "secret_list_yaml": _secret_list_yaml,
    "log_lines": _log_lines,
}
