"""The search box's text becomes a ``to_tsquery`` input: words as prefixes, identifiers exact."""

from __future__ import annotations

import pytest

from tarsy.store.queries import MAX_SEARCH_TERMS, search_query


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("crashloop", "'crashloop':*"),
        ("web-1", "'web-1'"),
        ("web-", "'web':*"),
        ("10.0.0.12 node-1.example.com,", "'10.0.0.12' & 'node-1.example.com'"),
        ('"checkout api" -web-2', "'checkout api' & !('web-2')"),
        ('-"a b" x', "!('a b') & 'x':*"),
        ('"unterminated phrase', "'unterminated phrase'"),
        ("it's", "'it s'"),
        ("a & b | !c", "'a':* & 'b':* & 'c':*"),
        ("---", None),
        ("", None),
    ],
)
def test_search_query(text: str, query: str | None) -> None:
    assert search_query(text) == query


def test_terms_are_capped() -> None:
    query = search_query(" ".join(f"w{n}" for n in range(40)))
    assert query is not None and query.count("&") == MAX_SEARCH_TERMS - 1
