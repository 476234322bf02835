"""Masking text that arrives in pieces (live tool output, a model's streamed reply).

Masking each piece on its own lets a secret split across two pieces through: neither half matches a
pattern. ``StreamMasker`` holds back the last ``window`` characters of what it has been given until
more arrives or the stream ends, and only releases text before a *cut* where masking is local:

- the cut lies at least ``window`` characters before the end of what is held (the look-ahead a
  pattern gets to recognise its match), at a line break if there is one, else at a space or tab;
- masking the two sides apart gives the same text as masking them together (no match crosses the
  cut, and no key on the left lost its value on the right);
- the cut is not inside an unterminated ``-----BEGIN …`` block (PEM keys span many lines).

A cut is looked for once ``window / 4`` characters more than the window are held (not at every
piece: each look masks the held text three times), so text leaves in pieces of about that size.
When no cut qualifies, everything is held until one does or the stream ends (``flush``). So a
secret without whitespace is never cut, a key never leaves without its value (given a window of 64
or more: the look-ahead every built-in pattern needs), PEM blocks are held whole, and a match with
whitespace in it is kept whole when it is shorter than the window. Released text is never revised.

The structural Kubernetes Secret masker needs a whole document, and ``kubectl`` prints ``data``
before ``kind``. With ``structural=True`` (the policy uses ``kubernetes_secret``), once a ``data`` or
``stringData`` key or ``kind: Secret`` shows up, nothing more is released until the end; then the
whole stream is masked at once and what follows the released part is given out, or a notice if the
released part would now be masked differently (the complete result is stored masked either way).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from tarsy.masking.masker import mask_tool_result
from tarsy.masking.policy import KUBERNETES_SECRET, MaskingPolicy

DEFAULT_WINDOW: Final = 256
STREAM_WITHHELD: Final = "\n[live output withheld: it held a Kubernetes Secret; the masked result follows]\n"
_SECRET_MARKER: Final = re.compile(
    r"""(?<![A-Za-z0-9_])["']?(?:data|stringData)["']?[ \t]*:|kind["']?[ \t]*:[ \t]*["']?Secret\b"""
)
_PEM_BEGIN: Final = "-----BEGIN "
_PEM_END: Final = "-----END "


class StreamMasker:
    """Windowed masking of one stream; ``mask`` must not raise (use a fail-closed wrapper).

    ``window=0`` releases every piece at once (for a policy with nothing to mask).
    """

    def __init__(self, mask: Callable[[str], str], window: int = DEFAULT_WINDOW, *, structural: bool = False) -> None:
        if window < 0:
            raise ValueError("the stream masking window cannot be negative")
        self._mask = mask
        self._window = window
        self._structural = structural
        self._released: list[str] = []  # raw text given out, kept only in structural mode
        self._document = False  # structural mode saw a Secret marker: hold to the end
        self._held = ""
        self._step = max(1, window // 4)  # held characters past the window before a cut is looked for
        self._next_look = window + self._step

    @property
    def held(self) -> int:
        """Characters received but not yet released."""
        return len(self._held)

    def feed(self, piece: str) -> str:
        """Take the next piece; return the masked text that can be released now (maybe empty)."""
        if self._window == 0:
            return self._mask(piece)  # nothing to hold back for (an empty policy)
        self._held += piece
        if self._structural and not self._document:
            self._document = _SECRET_MARKER.search(self._held) is not None
        if self._document or len(self._held) < self._next_look:
            return ""
        self._next_look = len(self._held) + self._step  # if this look releases nothing
        cut = self._cut()
        if cut <= 0:
            return ""
        head, rest = self._held[:cut], self._held[cut:]
        masked_head = self._mask(head)
        if masked_head + self._mask(rest) != self._mask(self._held):
            return ""  # a match spans the cut: hold everything until a later cut is clean
        self._held = rest
        self._next_look = len(rest) + self._step
        if self._structural:
            self._released.append(head)
        return masked_head

    def flush(self) -> str:
        """The end of the stream: everything still held, masked."""
        held, self._held = self._held, ""
        if not held:
            return ""
        if not self._document or not self._released:
            return self._mask(held)
        released = "".join(self._released)
        before, whole = self._mask(released), self._mask(released + held)
        return whole[len(before) :] if whole.startswith(before) else STREAM_WITHHELD

    def _cut(self) -> int:
        text = self._held
        limit = len(text) - self._window
        if limit <= 0:
            return 0
        cut = text.rfind("\n", 0, limit) + 1
        if cut <= 0:
            cut = max(text.rfind(" ", 0, limit), text.rfind("\t", 0, limit)) + 1
        begin = text.rfind(_PEM_BEGIN, 0, cut)
        if begin >= 0 and text.find(_PEM_END, begin) < 0:
            cut = begin
        return cut


def stream_masker(
    policy: MaskingPolicy, window: int = DEFAULT_WINDOW, *, on_error: Callable[[Exception], None] | None = None
) -> StreamMasker:
    """A fail-closed ``StreamMasker`` for ``policy`` (structural when it uses ``kubernetes_secret``)."""
    return StreamMasker(
        lambda text: mask_tool_result(text, policy, on_error=on_error),
        window,
        structural=policy.uses(KUBERNETES_SECRET),
    )
