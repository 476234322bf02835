"""The local embedder (all-MiniLM-L6-v2 in NumPy): load time, texts/s and ms per text.

Short alert-sized texts (one line, 15-40 tokens) in calls of 1 and of 32 texts, through the same
``LocalEmbedder.embed`` that investigation memory uses. Prints figures; asserts nothing. NumPy's BLAS
uses every core unless told otherwise: compare with OPENBLAS_NUM_THREADS=1 on a busy machine.

    .venv/bin/python bench/embeddings.py [--texts 256] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from tarsy.memory.minilm import LocalEmbedder, shared_model

_PODS = ["web-0", "payments-api-6d8f7c9b5d-x2k4q", "checkout-7c9d8f-abcde", "redis-master-0", "kafka-2"]
_PROBLEMS = [
    "is in CrashLoopBackOff after the last deploy",
    "was OOMKilled: container exceeded its 512Mi memory limit",
    "fails its readiness probe with HTTP 503",
    "cannot pull image: ErrImagePull from registry.internal",
    "p99 latency above 2s for 10 minutes",
    "disk usage at 94% on its persistent volume",
]


def alert_texts(count: int) -> list[str]:
    return [
        f"[{'critical' if i % 3 else 'warning'}] pod {_PODS[i % len(_PODS)]} in namespace prod-{i % 4} "
        f"{_PROBLEMS[i % len(_PROBLEMS)]} (alert #{i})"
        for i in range(count)
    ]


async def throughput(texts: list[str], per_call: int) -> float:
    """Seconds to embed ``texts`` in calls of ``per_call`` texts."""
    embedder = LocalEmbedder(batch_size=32)
    start = time.perf_counter()
    for i in range(0, len(texts), per_call):
        await embedder.embed(texts[i : i + per_call])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    shared_model()
    print(f"load: {time.perf_counter() - start:.2f} s (weights, tokenizer; once per process)")
    texts = alert_texts(args.texts)
    asyncio.run(throughput(texts[:32], 32))  # warm-up
    print(f"{args.texts} alert-sized texts, median of {args.runs} runs")
    print(f"{'texts per call':<16}{'texts/s':>10}{'ms/text':>10}")
    for per_call in (1, 32):
        seconds = statistics.median(asyncio.run(throughput(texts, per_call)) for _ in range(args.runs))
        print(f"{per_call:<16}{args.texts / seconds:>10.1f}{seconds / args.texts * 1000:>10.2f}")


if __name__ == "__main__":
    main()
