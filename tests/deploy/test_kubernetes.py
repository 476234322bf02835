"""deploy/kubernetes: every object of the base and both overlays validates against the Kubernetes
schemas (kubernetes-validate, offline), the Route against OpenShift's shape, and the deployment
carries what an operator relies on (probes, limits, restricted security, secrets by name only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tarsy.config import load_config_from_data
from tests.support.kustomize import render

KUBE = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
TARGETS = ["base", "overlays/dev", "overlays/openshift"]
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
SECRETS = {"tarsy-database", "tarsy-llm", "tarsy-oauth2-proxy", "tarsy-postgres"}

# route.openshift.io/v1 is not in the Kubernetes schemas: the fields used here, from OpenShift's API.
ROUTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "route.openshift.io/v1"},
        "kind": {"const": "Route"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["to"],
            "properties": {
                "host": {"type": "string"},
                "path": {"type": "string"},
                "to": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "name"],
                    "properties": {
                        "kind": {"const": "Service"},
                        "name": {"type": "string"},
                        "weight": {"type": "integer"},
                    },
                },
                "port": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"targetPort": {"type": ["string", "integer"]}},
                },
                "tls": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "termination": {"enum": ["edge", "passthrough", "reencrypt"]},
                        "insecureEdgeTerminationPolicy": {"enum": ["Allow", "None", "Redirect", ""]},
                    },
                },
                "wildcardPolicy": {"enum": ["None", "Subdomain"]},
            },
        },
    },
}


def _objects(target: str) -> list[dict[str, Any]]:
    return render(KUBE / target)


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_object_validates(target: str, version: str) -> None:
    objects = _objects(target)
    assert objects
    for obj in objects:
        if obj["kind"] == "Route":
            jsonschema.validate(obj, ROUTE_SCHEMA)
            continue
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_validator_rejects_a_broken_object() -> None:
    deployment = _one(_objects("base"), "Deployment", "tarsy-api")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = [8080]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)


@pytest.mark.parametrize("target", TARGETS)
def test_matches_kubectl_kustomize_where_installed(target: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the Python renderer above is the check")
    out = subprocess.run(
        [kubectl, "kustomize", str(KUBE / target)], capture_output=True, text=True, check=True, timeout=60
    ).stdout

    def key(o: dict[str, Any]) -> tuple[str, str, str]:
        return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])

    theirs = {key(o): o for o in yaml.safe_load_all(out) if o}
    mine = {key(o): o for o in _objects(target)}
    assert mine == theirs


@pytest.mark.parametrize("target", TARGETS)
def test_deployments_are_probed_limited_and_restricted(target: str) -> None:
    objects = _objects(target)
    tarsy = [o for o in objects if o["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in tarsy} == {"tarsy-api", "tarsy-worker"}
    for deployment in tarsy:
        pod = deployment["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == "tarsy"
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for container in pod["containers"] + pod.get("initContainers", []):
            assert container["resources"]["requests"] and container["resources"]["limits"], container["name"]
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False and security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
        main = pod["containers"][0]
        assert main["image"].startswith("ghcr.io/") and main["image"].rsplit(":", 1)[1]
        assert main["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert main["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        mounts = {m["mountPath"] for m in main["volumeMounts"]}
        assert {"/tmp", "/etc/tarsy", "/var/lib/tarsy"} <= mounts
    api = _one(objects, "Deployment", "tarsy-api")["spec"]["template"]["spec"]
    assert [c["args"] for c in api["initContainers"]] == [["migrate"]]
    env = {e["name"]: e.get("value") for e in api["containers"][0]["env"]}
    assert env["TARSY_WORKERS"] == "0"
    worker = _one(objects, "Deployment", "tarsy-worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["worker"]
    assert {e["name"]: e.get("value") for e in worker["env"]}["TARSY_HEALTH_PORT"] == "8081"


@pytest.mark.parametrize("target", TARGETS)
def test_oauth2_proxy_sidecar_is_the_only_way_in(target: str) -> None:
    objects = _objects(target)
    api = _one(objects, "Deployment", "tarsy-api")["spec"]["template"]["spec"]
    proxy = next(c for c in api["containers"] if c["name"] == "oauth2-proxy")
    assert "--upstream=http://127.0.0.1:8080/" in proxy["args"]
    assert "--pass-user-headers=true" in proxy["args"] and "--set-xauthrequest=true" in proxy["args"]
    assert "--skip-auth-route=GET=^/health/(live|ready)$" in proxy["args"]
    service = _one(objects, "Service", "tarsy")
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["proxy"]
    policy = _one(objects, "NetworkPolicy", "tarsy-api")
    assert [p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]] == [4180]
    worker_policy = _one(objects, "NetworkPolicy", "tarsy-worker")
    assert [p["port"] for rule in worker_policy["spec"]["ingress"] for p in rule["ports"]] == [8081]
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "PodDisruptionBudget"} == {
        "tarsy-api",
        "tarsy-worker",
    }


@pytest.mark.parametrize("target", TARGETS)
def test_secrets_are_referenced_by_name_only(target: str) -> None:
    objects = _objects(target)
    assert not [o for o in objects if o["kind"] == "Secret"]
    text = yaml.safe_dump_all(objects)
    referenced = {
        ref["name"]
        for o in objects
        for ref in _walk(o)
        if isinstance(ref, dict) and "name" in ref and ("key" in ref or "optional" in ref)
    }
    assert referenced <= SECRETS
    assert "tarsy-database" in referenced and "tarsy-oauth2-proxy" in referenced
    assert "password:" not in text.replace("key: password", "")


@pytest.mark.parametrize("target", TARGETS)
def test_cluster_access_is_read_only(target: str) -> None:
    objects = _objects(target)
    [role] = [o for o in objects if o["kind"] == "ClusterRole"]
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}
        assert "secrets" not in rule["resources"] and "pods/exec" not in rule["resources"]
    [binding] = [o for o in objects if o["kind"] == "ClusterRoleBinding"]
    namespace = _one(objects, "Deployment", "tarsy-api")["metadata"]["namespace"]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "tarsy", "namespace": namespace}]


def test_openshift_overlay_leaves_ids_to_the_restricted_scc_and_has_a_route() -> None:
    objects = _objects("overlays/openshift")
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        context = deployment["spec"]["template"]["spec"]["securityContext"]
        assert not {"runAsUser", "runAsGroup", "fsGroup"} & set(context)
    route = _one(objects, "Route", "tarsy")
    assert route["spec"]["to"]["name"] == "tarsy" and route["spec"]["tls"]["termination"] == "edge"
    base = _one(_objects("base"), "Deployment", "tarsy-api")["spec"]["template"]["spec"]["securityContext"]
    assert base["runAsUser"] == 10001  # vanilla Kubernetes gets explicit ids


def test_dev_overlay_scales_down_and_brings_a_database() -> None:
    objects = _objects("overlays/dev")
    assert _one(objects, "Deployment", "tarsy-api")["spec"]["replicas"] == 1
    assert _one(objects, "Deployment", "tarsy-worker")["spec"]["replicas"] == 1
    assert _one(objects, "StatefulSet", "tarsy-postgres")["metadata"]["namespace"] == "tarsy-dev"


@pytest.mark.parametrize("target", TARGETS)
def test_configmap_is_a_valid_tarsy_config(target: str) -> None:
    data = _one(_objects(target), "ConfigMap", "tarsy-config")["data"]
    tarsy = yaml.safe_load(data["tarsy.yaml"])
    config = load_config_from_data(tarsy, yaml.safe_load(data["llm-providers.yaml"]), env={})
    assert config.system.auth.mode == "proxy", "the oauth2-proxy sidecar is the only way in"
    assert [str(n) for n in config.system.auth.trusted_proxies] == ["127.0.0.0/8", "::1/128"]
    transport = config.mcp_server("kubernetes-server").transport
    assert getattr(transport, "command", None) == "kubernetes-mcp-server"
    assert "--kubeconfig" not in getattr(transport, "args", [])  # in-cluster: the ServiceAccount


def _walk(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for item in value.values():
            found += _walk(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk(item)
    return found
