"""Masking throughput on adversarial input: seconds per ~1 MB case with every pattern group on.

The inputs (``tests/unit/masking/adversarial.py``) each target one pattern's worst case; a regex
that backtracks takes minutes on them. The target is under 5 s per case on the 2-core CI machine
(laptop figures: 0.2-0.5 s, 1.3-1.7 s for the 1 MB Secret lists). Prints figures; asserts nothing.

    .venv/bin/python bench/masking.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.unit.masking

from tarsy.masking import build_policy, mask_text
from tests.unit.masking.adversarial import INPUTS

TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    policy = build_policy(groups=["all"])
    print(f"masking, group all, median of {args.runs} runs (target < {TARGET_S:.0f} s per case)")
    print(f"{'case':<22}{'bytes':>11}{'seconds':>10}{'MB/s':>8}")
    worst = 0.0
    for name, make in INPUTS.items():
        text = make()
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            mask_text(text, policy)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        worst = max(worst, median)
        size = len(text.encode())
        flag = "" if median < TARGET_S else "  OVER TARGET"
        print(f"{name:<22}{size:>11,}{median:>10.3f}{size / median / 1e6:>8.1f}{flag}")
    print(f"worst case: {worst:.3f} s")


if __name__ == "__main__":
    main()
