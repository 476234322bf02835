"""The evaluation harness: measure a chain's investigations on recorded failure scenarios.

``tarsy eval`` (``command``) runs a chain (``runner``, through ``tarsy.runtime.investigate``)
against each scenario of ``evals/scenarios`` (``scenario``) with the replay MCP server (``replay``,
reached through ``tools``), grades the analysis (``judge``), checks the scenario's secrets
(``leaks``) and writes the table (``results``). ``models`` holds the offline scripted model that
proves the harness without a provider key. docs/evals.md is the guide.
"""
