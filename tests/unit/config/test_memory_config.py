"""The ``memory`` section: off by default, on with one setting, merged key by key over the defaults."""

from __future__ import annotations

from tarsy.config import load_config
from tarsy.config.memory import MEMORY_CATEGORIES
from tests.unit.config.conftest import WriteConfig


def test_memory_is_off_by_default(write_config: WriteConfig) -> None:
    assert load_config(write_config(), env={}).memory.enabled is False


def test_one_setting_switches_everything_on_with_defaults(write_config: WriteConfig) -> None:
    memory = load_config(write_config(tarsy="memory: {enabled: true}\n"), env={}).memory
    assert memory.enabled and memory.reflection.enabled
    assert memory.embedding.backend == "local" and memory.retrieval.top_k == 5 and memory.project == "default"


def test_keys_merge_over_the_defaults(write_config: WriteConfig) -> None:
    text = "memory:\n  enabled: true\n  retrieval: {top_k: 3}\n  embedding: {backend: openai, model: m}\n"
    memory = load_config(write_config(tarsy=text), env={}).memory
    assert memory.retrieval.top_k == 3 and memory.retrieval.candidates == 20
    assert (memory.embedding.backend, memory.embedding.model) == ("openai", "m")


def test_the_category_vocabulary_matches_the_migration() -> None:
    from importlib import resources

    sql = (resources.files("tarsy.store") / "migrations" / "019_memory.sql").read_text("utf-8")
    check = sql.split("category IN (", 1)[1].split(")", 1)[0]
    assert tuple(part.strip().strip("'") for part in check.replace("\n", " ").split(",")) == MEMORY_CATEGORIES
