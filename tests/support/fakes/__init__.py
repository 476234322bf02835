"""Small, real HTTP fakes of the third-party services TARSy talks to (GitHub, Slack).

Each fake is a Starlette app holding its state in a plain object the test arranges and inspects;
``serve`` runs it with uvicorn on a free loopback port inside the test's event loop.
"""

from tests.support.fakes.github import FakeGitHub, running_fake_github
from tests.support.fakes.serving import serve
from tests.support.fakes.slack import FakeSlack, running_fake_slack

__all__ = ["FakeGitHub", "FakeSlack", "running_fake_github", "running_fake_slack", "serve"]
