"""A small Kustomize renderer for the subset deploy/kubernetes uses, so the manifests are checked in CI
without a kubectl binary (tests/deploy/test_kubernetes.py compares it with `kubectl kustomize` where
one is installed).

Supported: ``resources`` (files and kustomization folders), ``namespace``, ``labels`` (metadata only),
``images``, ``configMapGenerator`` (``files``, with ``generatorOptions.disableNameSuffixHash``) and
``patches`` (strategic-merge documents, or JSON 6902 operation lists with a ``target``). Anything else
in a kustomization is refused, so a manifest change that needs more fails loudly here.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

SUPPORTED_KEYS = {
    "apiVersion",
    "kind",
    "namespace",
    "labels",
    "resources",
    "patches",
    "configMapGenerator",
    "generatorOptions",
    "images",
}
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition", "PersistentVolume"}


class KustomizeError(ValueError):
    pass


def render(folder: Path) -> list[Obj]:
    """Every object the kustomization in ``folder`` renders, in resource order."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text("utf-8"))
    unknown = set(kustomization) - SUPPORTED_KEYS
    if unknown:
        raise KustomizeError(f"{folder}: unsupported kustomization keys {sorted(unknown)}")
    objects: list[Obj] = []
    for entry in kustomization.get("resources", []):
        path = folder / entry
        objects += render(path) if path.is_dir() else _documents(path)
    objects += _generate_configmaps(folder, kustomization)
    for patch in kustomization.get("patches", []):
        _apply_patch(folder, patch, objects)
    for image in kustomization.get("images", []):
        _set_image(objects, image)
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for label in kustomization.get("labels", []):
        if label.get("includeSelectors") or label.get("includeTemplates"):
            raise KustomizeError(f"{folder}: labels with includeSelectors/includeTemplates are not supported")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    return objects


def _documents(path: Path) -> list[Obj]:
    return [doc for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc]


def _generate_configmaps(folder: Path, kustomization: Obj) -> list[Obj]:
    generators = kustomization.get("configMapGenerator", [])
    if generators and not kustomization.get("generatorOptions", {}).get("disableNameSuffixHash"):
        raise KustomizeError(f"{folder}: name-suffix hashes are not supported (set disableNameSuffixHash)")
    made: list[Obj] = []
    for generator in generators:
        data = {Path(name).name: (folder / name).read_text("utf-8") for name in generator.get("files", [])}
        made.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    return made


def _apply_patch(folder: Path, patch: Obj, objects: list[Obj]) -> None:
    documents = list(yaml.safe_load_all((folder / patch["path"]).read_text("utf-8")))
    if len(documents) == 1 and isinstance(documents[0], list):
        target = patch.get("target")
        if not target:
            raise KustomizeError(f"{patch['path']}: a JSON 6902 patch needs a target")
        matched = [o for o in objects if o["kind"] == target["kind"] and o["metadata"]["name"] == target["name"]]
        if not matched:
            raise KustomizeError(f"{patch['path']}: no {target['kind']} {target['name']}")
        for obj in matched:
            for operation in documents[0]:
                _json6902(obj, operation)
        return
    for document in documents:
        name, kind = document["metadata"]["name"], document["kind"]
        matched = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
        if not matched:
            raise KustomizeError(f"{patch['path']}: no {kind} {name} to patch")
        for obj in matched:
            merged = strategic_merge(obj, document)
            obj.clear()
            obj.update(merged)


def strategic_merge(base: Any, patch: Any) -> Any:
    """Maps merge key by key; lists of named items merge by ``name``; any other list is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            out[key] = strategic_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        out_list = copy.deepcopy(base)
        for item in patch:
            index = next((i for i, b in enumerate(out_list) if b["name"] == item["name"]), None)
            if index is None:
                out_list.append(copy.deepcopy(item))
            else:
                out_list[index] = strategic_merge(out_list[index], item)
        return out_list
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def _json6902(obj: Obj, operation: Obj) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in operation["path"].split("/")[1:]]
    parent: Any = obj
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    op = operation["op"]
    if op == "remove":
        if isinstance(parent, list):
            del parent[int(last)]
        else:
            del parent[last]
    elif op in {"add", "replace"}:
        value = copy.deepcopy(operation["value"])
        if isinstance(parent, list):
            if last == "-":
                parent.append(value)
            elif op == "add":
                parent.insert(int(last), value)
            else:
                parent[int(last)] = value
        else:
            if op == "replace" and last not in parent:
                raise KustomizeError(f"replace: {operation['path']} does not exist")
            parent[last] = value
    else:
        raise KustomizeError(f"unsupported JSON 6902 operation {op!r}")


def _set_image(objects: list[Obj], image: Obj) -> None:
    for obj in objects:
        spec = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            name, tag = _split_image(container.get("image", ""))
            if name == image["name"]:
                name = image.get("newName", name)
                tag = f":{image['newTag']}" if "newTag" in image else tag
                container["image"] = name + tag


def _split_image(image: str) -> tuple[str, str]:
    """``registry/name:tag`` → (``registry/name``, ``:tag``); a digest or no tag stays with the name."""
    slash = image.rfind("/")
    colon = image.rfind(":")
    if "@" in image or colon <= slash:
        return image, ""
    return image[:colon], image[colon:]
