"""Property checks without hypothesis: a few hundred random secrets of every shape, from fixed seeds.

Each generator returns the text a tool might print and the secret strings inside it; none may
survive group ``all``. The seeds are fixed so a failure reproduces; change them to explore.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tarsy.masking import SECRET_DATA_PLACEHOLDER, build_policy, mask_text

ALL = build_policy(groups=["all"])
SAMPLES = 300

Sample = tuple[str, list[str]]
Generator = Callable[[random.Random], Sample]

_ALNUM = string.ascii_letters + string.digits
# Passwords: printable ASCII without whitespace, quotes or backslashes (see docs/masking.md for how
# backslashes in unquoted values are read).
_PASSWORD_CHARS = "".join(c for c in string.printable if c not in string.whitespace + "\"'\\")


def _text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _b64(rng: random.Random, low: int, high: int, *, urlsafe: bool = False) -> str:
    raw = rng.randbytes(rng.randint(low, high))
    return (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()


def _password_yaml(rng: random.Random) -> Sample:
    secret = _text(rng, _PASSWORD_CHARS, 6, 32)
    key = rng.choice(["password", "db_password", "PASSWORD", "passwd", "pwd", "adminPass"])
    return f"config:\n  user: app\n  {key}: {secret}\n  host: db\n", [secret]


def _password_json(rng: random.Random) -> Sample:
    secret = _text(rng, string.printable.strip() + " ", 6, 40)
    text = json.dumps({"user": "app", rng.choice(["password", "rootPassword"]): secret, "port": 5432})
    return text, [secret, json.dumps(secret)[1:-1]]


def _password_env(rng: random.Random) -> Sample:
    secret = _text(rng, _PASSWORD_CHARS, 6, 24)
    return f"HOST=db\nMYSQL_ROOT_PASSWORD={secret}\nPORT=3306\n", [secret]


def _password_url(rng: random.Random) -> Sample:
    secret = _text(rng, _ALNUM + "._~-", 4, 24)
    return f"DATABASE_URL=postgres://app:{secret}@db.internal:5432/orders\n", [secret]


def _api_key(rng: random.Random) -> Sample:
    secret = _text(rng, _ALNUM + "_-", 20, 48)
    form = rng.choice(["api_key={}", "X-Api-Key: {}", '{{"apiKey": "{}"}}', "apikey: '{}'"])
    return form.format(secret), [secret]


def _bearer(rng: random.Random) -> Sample:
    secret = _b64(rng, 15, 60, urlsafe=True)
    return f'curl -H "Authorization: Bearer {secret}" https://api.internal\n', [secret]


def _jwt_token_key(rng: random.Random) -> Sample:
    secret = ".".join(_b64(rng, 12, 40, urlsafe=True).rstrip("=") for _ in range(3))
    key = rng.choice(["access_token", "id_token", "refresh_token", "jwt", "serviceAccountToken"])
    return json.dumps({key: secret, "expires_in": 3600}), [secret]


def _token_flag(rng: random.Random) -> Sample:
    secret = _text(rng, _PASSWORD_CHARS, 8, 40)
    form = rng.choice(["--token={}", "--token {}", '--token "{}"', "--token='{}'"])
    return f"kubectl get pods {form.format(secret)} -n prod\n", [secret]


def _aws(rng: random.Random) -> Sample:
    key_id = rng.choice(["AKIA", "ASIA"]) + _text(rng, string.ascii_uppercase + string.digits, 16, 16)
    secret = _text(rng, _ALNUM + "/+", 40, 40)
    return f"aws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n", [key_id, secret]


def _github(rng: random.Random) -> Sample:
    secret = rng.choice(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + _text(rng, _ALNUM, 36, 60)
    return f"git push https://x-access-token:{secret}@github.com/org/repo\n", [secret]


def _slack(rng: random.Random) -> Sample:
    secret = f"xox{rng.choice('baprs')}-{rng.randint(10**9, 10**12)}-{_text(rng, _ALNUM, 10, 40)}"
    return f"SLACK_TOKEN={secret}\n", [secret]


def _pem(rng: random.Random) -> Sample:
    body = base64.b64encode(rng.randbytes(rng.randint(48, 400))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    label = rng.choice(["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"])
    pem = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
    if rng.random() < 0.5:
        return json.dumps({"tls.key": pem}), [line for line in lines if len(line) >= 8]
    return "key: |\n  " + pem.replace("\n", "\n  ") + "\n", [line for line in lines if len(line) >= 8]


def _ssh(rng: random.Random) -> Sample:
    kind, prefix = rng.choice([("ssh-rsa", "AAAAB3NzaC1yc2E"), ("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5")])
    body = prefix + _b64(rng, 32, 200)
    return f"{kind} {body} ops@bastion\n", [body]


def _email(rng: random.Random) -> Sample:
    local = _text(rng, string.ascii_lowercase + string.digits + "._+-", 1, 20).strip(".")
    local = local or "x"
    domain = ".".join(_text(rng, string.ascii_lowercase + string.digits, 1, 12) for _ in range(rng.randint(1, 3)))
    address = f"{local}@{domain}.{_text(rng, string.ascii_lowercase, 2, 6)}"
    return f"owner: {address} (on call)\n", [address]


def _base64_long(rng: random.Random) -> Sample:
    secret = _b64(rng, 15, 64, urlsafe=rng.random() < 0.3)
    return f"found {secret} in the environment dump\n", [secret.rstrip("=")]


def _base64_short(rng: random.Random) -> Sample:
    # Padded values (byte counts not divisible by 3) and 9+ byte values: an unpadded 3- or 6-byte
    # value that happens to spell a word is spared by design (docs/masking.md).
    size = rng.choice([1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14])
    secret = base64.b64encode(rng.randbytes(size)).decode()
    return f"apiVersion: v1\nfield: {secret}\nother: x\n", [secret]


def _secret_manifest(rng: random.Random) -> Sample:
    # Values of 8+ characters, so that a secret cannot turn up by chance elsewhere in the manifest.
    data = {f"key-{_text(rng, string.ascii_lowercase, 6, 10)}": _b64(rng, 4, 40) for _ in range(rng.randint(1, 5))}
    plain = {f"plain-{_text(rng, string.ascii_lowercase, 6, 10)}": _text(rng, _ALNUM, 8, 30) for _ in range(2)}
    manifest: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "generated"}}
    manifest["data"] = data
    secrets = [*data, *data.values()]
    if rng.random() < 0.5:
        manifest["stringData"] = plain
        secrets += [*plain, *plain.values()]
    if rng.random() < 0.5:
        manifest["metadata"]["annotations"] = {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(manifest, separators=(",", ":")) + "\n"
        }
    if rng.random() < 0.5:
        return json.dumps(manifest, indent=rng.choice([None, 2, 4])), secrets
    return yaml.safe_dump(manifest, sort_keys=rng.random() < 0.5), secrets


GENERATORS: dict[str, Generator] = {
    "password_yaml": _password_yaml,
    "password_json": _password_json,
    "password_env": _password_env,
    "password_url": _password_url,
    "api_key": _api_key,
    "bearer": _bearer,
    "jwt_token_key": _jwt_token_key,
    "token_flag": _token_flag,
    "aws": _aws,
    "github": _github,
    "slack": _slack,
    "pem": _pem,
    "ssh": _ssh,
    "email": _email,
    "base64_long": _base64_long,
    "base64_short": _base64_short,
    "secret_manifest": _secret_manifest,
}


@pytest.mark.parametrize("shape", GENERATORS)
def test_no_random_secret_survives_group_all(shape: str) -> None:
    rng = random.Random(f"tarsy-masking-{shape}")
    leaks: list[tuple[str, str]] = []
    for _ in range(SAMPLES):
        text, secrets = GENERATORS[shape](rng)
        masked = mask_text(text, ALL)
        leaks.extend((secret, masked) for secret in secrets if secret in masked)
    assert leaks[:3] == []


@pytest.mark.parametrize("shape", GENERATORS)
def test_masking_random_samples_is_idempotent(shape: str) -> None:
    rng = random.Random(f"tarsy-masking-idempotent-{shape}")
    for _ in range(50):
        text, _ = GENERATORS[shape](rng)
        once = mask_text(text, ALL)
        assert mask_text(once, ALL) == once


def test_random_secret_manifests_keep_their_structure() -> None:
    rng = random.Random("tarsy-masking-structure")
    for _ in range(SAMPLES):
        text, _ = _secret_manifest(rng)
        masked = mask_text(text, build_policy(groups=["kubernetes"]))
        loaded = json.loads(masked) if text.startswith("{") else yaml.safe_load(masked)
        assert loaded["kind"] == "Secret"
        assert loaded["metadata"]["name"] == "generated"
        assert loaded["data"] == SECRET_DATA_PLACEHOLDER
        annotations = loaded["metadata"].get("annotations")
        if annotations:
            embedded = json.loads(annotations["kubectl.kubernetes.io/last-applied-configuration"])
            assert embedded["data"] == SECRET_DATA_PLACEHOLDER
