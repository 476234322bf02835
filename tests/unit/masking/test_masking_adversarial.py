"""Masking stays linear on adversarial input: each ~1 MB case (``adversarial.py``) finishes and
masks what it must. How long each takes is a figure of ``bench/masking.py`` (``make bench``), not an
assertion here; the timeout below only stops a catastrophic backtrack from hanging the suite.
"""

from __future__ import annotations

import pytest

from tarsy.masking import build_policy, mask_text
from tests.unit.masking.adversarial import INPUTS, MB

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

# Cases whose text holds secret values, and one value of each that must not survive.
MUST_MASK = {
    "secret_list_json": "dmFsdWU=",
    "secret_list_yaml": "dmFsdWVz",
    "log_lines": "user13999@example.com",
}
# Cases with nothing to mask: the text comes back unchanged.
UNCHANGED = {"letters", "url_scheme_run"}


@pytest.mark.parametrize("name", INPUTS)
def test_one_megabyte_of_adversarial_text_masks(name: str) -> None:
    text = INPUTS[name]()
    assert len(text) >= 0.9 * MB
    masked = mask_text(text, build_policy(groups=["all"]))
    if name in MUST_MASK:
        assert MUST_MASK[name] not in masked
        assert "[MASKED_" in masked
    if name in UNCHANGED:
        assert masked == text
