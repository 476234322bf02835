"""The shapes of GitHub URLs that runbooks use: file pages, raw content and folder (tree) pages.

Pure functions, so the conversions can be tested as a table without a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
RAW_HOST = "raw.githubusercontent.com"


@dataclass(frozen=True)
class RepoFolder:
    """A folder of a repository at a ref (``None``: the default branch)."""

    owner: str
    repo: str
    ref: str | None
    path: str

    def contents_path(self, path: str) -> str:
        """The contents-API path of ``path`` in this repository (quoted, without the API base)."""
        suffix = f"/{quote(path)}" if path else ""
        return f"/repos/{quote(self.owner)}/{quote(self.repo)}/contents{suffix}"

    def blob_url(self, path: str) -> str:
        """The github.com page of a file in this folder's repository."""
        return f"https://github.com/{self.owner}/{self.repo}/blob/{self.ref or 'HEAD'}/{path}"


def raw_url_for(url: str, raw_base: str) -> str | None:
    """Where the raw content of a GitHub file URL lives under ``raw_base``; ``None`` for other URLs.

    ``https://github.com/<o>/<r>/blob/<ref>/<path>`` (or ``/raw/``) becomes ``<raw_base>/<o>/<r>/<ref>/<path>``;
    a ``raw.githubusercontent.com`` URL is re-rooted under ``raw_base`` (which is that host unless
    configured otherwise). The ref stays as written: raw content accepts branch, tag or commit.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = f"?{parts.query}" if parts.query else ""
    segments = [s for s in parts.path.split("/") if s]
    base = raw_base.rstrip("/")
    if host == RAW_HOST and len(segments) >= 4:
        return f"{base}/{'/'.join(segments)}{query}"
    if host in GITHUB_HOSTS and len(segments) >= 5 and segments[2] in ("blob", "raw"):
        owner, repo, _, *rest = segments
        return f"{base}/{owner}/{repo}/{'/'.join(rest)}{query}"
    return None


def parse_tree_url(url: str) -> RepoFolder:
    """``https://github.com/<o>/<r>[/tree/<ref>[/<path>]]`` as a :class:`RepoFolder`.

    A ref containing ``/`` cannot be told apart from the path in such a URL; like GitHub's own
    links, the first segment after ``tree`` is taken as the ref. Raises ``ValueError`` otherwise.
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if (parts.hostname or "").lower() not in GITHUB_HOSTS or len(segments) < 2:
        raise ValueError(f"{url!r} is not a GitHub repository or folder URL")
    owner, repo, *rest = segments
    repo = repo.removesuffix(".git")
    if not rest:
        return RepoFolder(owner, repo, None, "")
    if rest[0] != "tree" or len(rest) < 2:
        raise ValueError(f"{url!r} is not a GitHub folder URL (expected .../<owner>/<repo>/tree/<ref>/<path>)")
    return RepoFolder(owner, repo, rest[1], "/".join(rest[2:]))
