"""The simulated cluster behind the demo MCP server: deterministic, and with something to find.

Namespace ``checkout`` runs a small shop. ``checkout-api`` was rolled out with a bigger product
cache and its pod is now OOMKilled on every start (CrashLoopBackOff); its previous log is long
(summarization has something to do) and its namespace holds a Secret and a ConfigMap with a cloud
key in it (masking has something to do). Nothing here is random or depends on the clock.
"""

from __future__ import annotations

import base64
from typing import Any

NAMESPACES = ("checkout", "monitoring")
CRASHING_POD = "checkout-api-7d9f8b6c5d-x2k4p"

# Fake credentials: shaped like real ones so that the masking patterns catch them.
DB_PASSWORD = "s3cr3t-Pa55w0rd-checkout"
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _pod(name: str, app: str, phase: str, restarts: int, node: str, **container: Any) -> dict[str, Any]:
    status: dict[str, Any] = {"name": app, "ready": phase == "Running", "restartCount": restarts}
    status.update(container)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "checkout", "labels": {"app": app}},
        "spec": {
            "nodeName": node,
            "containers": [
                {
                    "name": app,
                    "image": f"registry.example.com/shop/{app}:1.8.{restarts % 3}",
                    "resources": {"requests": {"memory": "192Mi"}, "limits": {"memory": "256Mi", "cpu": "500m"}},
                    "envFrom": [{"secretRef": {"name": "checkout-api-credentials"}}] if app == "checkout-api" else [],
                }
            ],
        },
        "status": {"phase": phase, "containerStatuses": [status]},
    }


PODS: dict[str, dict[str, dict[str, Any]]] = {
    "checkout": {
        CRASHING_POD: _pod(
            CRASHING_POD,
            "checkout-api",
            "Running",
            14,
            "worker-2",
            state={"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
            lastState={
                "terminated": {
                    "reason": "OOMKilled",
                    "exitCode": 137,
                    "startedAt": "2026-01-15T10:36:12Z",
                    "finishedAt": "2026-01-15T10:37:03Z",
                }
            },
        ),
        "checkout-frontend-6b7c8d9e4f-zz9kl": _pod(
            "checkout-frontend-6b7c8d9e4f-zz9kl", "checkout-frontend", "Running", 0, "worker-1", state={"running": {}}
        ),
        "payments-worker-5c6d7e8f9a-abcde": _pod(
            "payments-worker-5c6d7e8f9a-abcde", "payments-worker", "Running", 1, "worker-1", state={"running": {}}
        ),
        "redis-0": _pod("redis-0", "redis", "Running", 0, "worker-3", state={"running": {}}),
    },
    "monitoring": {},
}

EVENTS: dict[str, list[tuple[str, str, str, str, str]]] = {
    # (last seen, type, reason, object, message)
    "checkout": [
        (
            "2026-01-15T10:05:41Z",
            "Normal",
            "ScalingReplicaSet",
            "deployment/checkout-api",
            "Scaled up replica set checkout-api-7d9f8b6c5d to 1",
        ),
        (
            "2026-01-15T10:05:40Z",
            "Normal",
            "ConfigMapUpdated",
            "configmap/checkout-api-config",
            "PRODUCT_CACHE_SIZE changed from 50000 to 250000 (rollout by ci-bot)",
        ),
        (
            "2026-01-15T10:37:03Z",
            "Warning",
            "OOMKilling",
            f"pod/{CRASHING_POD}",
            "Memory cgroup out of memory: Killed process 4121 (checkout-api) total-vm:1184320kB, anon-rss:262144kB",
        ),
        (
            "2026-01-15T10:37:04Z",
            "Normal",
            "Pulled",
            f"pod/{CRASHING_POD}",
            'Container image "registry.example.com/shop/checkout-api:1.8.2" already present on machine',
        ),
        (
            "2026-01-15T10:41:55Z",
            "Warning",
            "BackOff",
            f"pod/{CRASHING_POD}",
            "Back-off restarting failed container checkout-api in pod " + CRASHING_POD,
        ),
        ("2026-01-15T09:12:00Z", "Normal", "Started", "pod/redis-0", "Started container redis"),
    ],
    "monitoring": [],
}

SECRETS: dict[str, dict[str, Any]] = {
    "checkout-api-credentials": {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "checkout-api-credentials", "namespace": "checkout"},
        "data": {
            "DB_USER": _b64("checkout"),
            "DB_PASSWORD": _b64(DB_PASSWORD),
            "STRIPE_API_KEY": _b64("sk_live_51Hdemo000000000000000000"),
        },
    }
}

CONFIG_MAPS: dict[str, dict[str, Any]] = {
    "checkout-api-config": {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "checkout-api-config", "namespace": "checkout"},
        "data": {
            "PRODUCT_CACHE_SIZE": "250000",
            "CACHE_WARMUP": "eager",
            "LOG_LEVEL": "info",
            # A mistake the masking catches: credentials in a ConfigMap.
            "ASSET_SYNC": f"aws_access_key_id={AWS_ACCESS_KEY_ID} aws_secret_access_key={AWS_SECRET_ACCESS_KEY}",
        },
    }
}

DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "checkout-api": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "checkout-api",
            "namespace": "checkout",
            "annotations": {"deployment.kubernetes.io/revision": "7"},
        },
        "spec": {
            "replicas": 1,
            "template": {"spec": PODS["checkout"][CRASHING_POD]["spec"]},
        },
        "status": {"replicas": 1, "readyReplicas": 0, "unavailableReplicas": 1},
    }
}

CURRENT_LOG = """\
2026-01-15T10:41:58Z INFO  checkout-api 1.8.2 starting (pid 1)
2026-01-15T10:41:58Z INFO  config: PRODUCT_CACHE_SIZE=250000 CACHE_WARMUP=eager
2026-01-15T10:41:59Z INFO  connected to postgres checkout-db:5432 as checkout
2026-01-15T10:41:59Z INFO  cache warm-up started (250000 products)
"""


def previous_log() -> str:
    """The log of the killed container: a long warm-up that ends when the memory limit is hit."""
    lines = [
        "2026-01-15T10:36:12Z INFO  checkout-api 1.8.2 starting (pid 1)",
        "2026-01-15T10:36:12Z INFO  config: PRODUCT_CACHE_SIZE=250000 CACHE_WARMUP=eager",
        "2026-01-15T10:36:13Z INFO  connected to postgres checkout-db:5432 as checkout",
        "2026-01-15T10:36:13Z INFO  cache warm-up started (250000 products)",
    ]
    for batch in range(1, 601):
        second = 13 + batch * 50 // 600
        heap = 96 + batch * 160 // 600
        lines.append(
            f"2026-01-15T10:36:{second:02d}Z DEBUG cache: loaded batch {batch:03d}/600 "
            f"({batch * 250000 // 600} products), heap {heap}Mi, gc pause {3 + batch % 7}ms"
        )
        if batch % 100 == 0:
            lines.append(f"2026-01-15T10:36:{second:02d}Z WARN  gc: heap at {heap}Mi of 256Mi limit")
    lines.append("2026-01-15T10:37:03Z ERROR runtime: out of memory allocating 4194304 bytes for product index")
    return "\n".join(lines) + "\n"


def resource(kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    if namespace != "checkout":
        return None
    tables: dict[str, dict[str, dict[str, Any]]] = {
        "pod": PODS["checkout"],
        "secret": SECRETS,
        "configmap": CONFIG_MAPS,
        "deployment": DEPLOYMENTS,
    }
    table = tables.get(kind.lower())
    return None if table is None else table.get(name)


def resource_names(kind: str, namespace: str) -> list[str] | None:
    """Names of ``kind`` in ``namespace``; ``None`` for a kind the simulation does not know."""
    tables = {"pod": PODS, "secret": SECRETS, "configmap": CONFIG_MAPS, "deployment": DEPLOYMENTS}
    table = tables.get(kind.lower())
    if table is None:
        return None
    if kind.lower() == "pod":
        return sorted(PODS.get(namespace, {}))
    return sorted(table) if namespace == "checkout" else []


DIAGNOSTIC_STEPS = (
    ("nodes", "3 nodes Ready; worker-2 memory pressure: False"),
    ("quotas", "namespace checkout: memory 1.1Gi of 4Gi requested"),
    ("workloads", "deployment/checkout-api: 0/1 ready (pod restarting)"),
    ("restarts", f"pod/{CRASHING_POD}: 14 restarts, last reason OOMKilled (exit 137)"),
    ("recent changes", "configmap/checkout-api-config changed at 10:05:40Z (PRODUCT_CACHE_SIZE 50000 -> 250000)"),
)
