"""Golden files for the agent tests.

Regenerate them with ``TARSY_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/unit/agent``, then
review the diff. An environment variable and not a ``--update-goldens`` flag: pytest only parses
options that ``pytest_addoption`` registers in conftests it loads at start-up (the rootdir's, the
ones of the paths on the command line and of ``testpaths``), so a flag declared here would be
rejected by a plain ``pytest --update-goldens``. ``TARSY_UPDATE_GOLDEN=1``, which regenerates the
masking corpus, is accepted too so that one variable refreshes every golden file of the project.
"""

from __future__ import annotations

import pytest

from tests.unit.agent.goldens import GOLDEN_DIR, Goldens


@pytest.fixture
def goldens() -> Goldens:
    return Goldens(GOLDEN_DIR)
