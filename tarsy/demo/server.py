"""TARSy's demo MCP server: a simulated Kubernetes cluster, served over stdio.

Run it as ``python -m tarsy.demo.server``. The offline demo points an MCP server entry at it
so that a newcomer sees real tool calls, masking (a Secret and a cloud key in a ConfigMap) and
summarization (the crashed container's long previous log) without credentials or a cluster. The
tool names follow kubernetes-mcp-server's, so prompts written for one read well with the other.
``diagnostics_run`` is slow on purpose and reports progress and log messages while it runs.

Suggested ``tarsy.yaml`` entry::

    mcp_servers:
      demo-cluster:
        transport: {type: stdio, command: python, args: ["-m", "tarsy.demo.server"]}
        data_masking: {pattern_groups: [kubernetes, cloud]}
"""

from __future__ import annotations

import asyncio

import yaml
from mcp.server.fastmcp import Context, FastMCP

from tarsy.demo import cluster

STEP_SECONDS = 0.4

server = FastMCP(
    "tarsy-demo-cluster",
    instructions="A simulated Kubernetes cluster for TARSy's offline demo. Namespaces: checkout, monitoring.",
    log_level="WARNING",
)


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _unknown_namespace(namespace: str) -> ValueError:
    return ValueError(f'namespaces "{namespace}" not found (namespaces: {", ".join(cluster.NAMESPACES)})')


@server.tool()
def namespaces_list() -> str:
    """List the namespaces of the cluster."""
    return "NAME\n" + "\n".join(cluster.NAMESPACES) + "\n"


@server.tool()
def pods_list(namespace: str) -> str:
    """List the pods of a namespace with their status and restart counts."""
    if namespace not in cluster.PODS:
        raise _unknown_namespace(namespace)
    rows = ["NAME                                   READY   STATUS             RESTARTS   NODE"]
    for name, pod in sorted(cluster.PODS[namespace].items()):
        status = pod["status"]["containerStatuses"][0]
        waiting = status.get("state", {}).get("waiting", {}).get("reason")
        ready = "1/1" if status["ready"] and not waiting else "0/1"
        rows.append(
            f"{name:<38} {ready:<7} {waiting or pod['status']['phase']:<18} {status['restartCount']:<10} "
            f"{pod['spec']['nodeName']}"
        )
    return "\n".join(rows) + "\n"


@server.tool()
def pods_get(namespace: str, name: str) -> str:
    """Get a pod as YAML: spec, container states, last termination reason."""
    pod = cluster.resource("pod", namespace, name)
    if pod is None:
        raise ValueError(f'pods "{name}" not found in namespace "{namespace}"')
    return _yaml(pod)


@server.tool()
def pods_log(namespace: str, name: str, previous: bool = False) -> str:
    """Get the log of a pod's container; previous=true gives the log of the container before its last restart."""
    if cluster.resource("pod", namespace, name) is None:
        raise ValueError(f'pods "{name}" not found in namespace "{namespace}"')
    if name != cluster.CRASHING_POD:
        return "" if previous else f"2026-01-15T09:12:00Z INFO  {name} serving\n"
    return cluster.previous_log() if previous else cluster.CURRENT_LOG


@server.tool()
def events_list(namespace: str) -> str:
    """List the recent events of a namespace, oldest first."""
    if namespace not in cluster.EVENTS:
        raise _unknown_namespace(namespace)
    rows = ["LAST SEEN              TYPE      REASON              OBJECT                                      MESSAGE"]
    for seen, kind, reason, obj, message in sorted(cluster.EVENTS[namespace]):
        rows.append(f"{seen:<22} {kind:<9} {reason:<19} {obj:<43} {message}")
    return "\n".join(rows) + "\n"


@server.tool()
def resources_list(kind: str, namespace: str) -> str:
    """List the names of resources of a kind (Pod, Deployment, ConfigMap, Secret) in a namespace."""
    names = cluster.resource_names(kind, namespace)
    if names is None:
        raise ValueError(f'the server doesn\'t have a resource type "{kind}" (try Pod, Deployment, ConfigMap, Secret)')
    return "NAME\n" + "".join(f"{name}\n" for name in names)


@server.tool()
def resources_get(kind: str, namespace: str, name: str) -> str:
    """Get one resource (Pod, Deployment, ConfigMap, Secret) as YAML."""
    found = cluster.resource(kind, namespace, name)
    if found is None:
        raise ValueError(f'{kind.lower()}s "{name}" not found in namespace "{namespace}"')
    return _yaml(found)


@server.tool()
async def diagnostics_run(namespace: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """Run a slow health check of a namespace (nodes, quotas, workloads, restarts, recent changes)."""
    if namespace not in cluster.PODS:
        raise _unknown_namespace(namespace)
    total = len(cluster.DIAGNOSTIC_STEPS)
    report = [f"Diagnostics for namespace {namespace}:"]
    for step, (check, finding) in enumerate(cluster.DIAGNOSTIC_STEPS, start=1):
        await ctx.report_progress(step - 1, total, f"checking {check}")
        await asyncio.sleep(STEP_SECONDS)
        await ctx.info(f"{check}: {finding}")
        report.append(f"- {check}: {finding}")
    await ctx.report_progress(total, total, "done")
    return "\n".join(report) + "\n"


def main() -> None:
    server.run("stdio")


if __name__ == "__main__":
    main()
