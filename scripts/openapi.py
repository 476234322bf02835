"""Write the API's OpenAPI document (with the SSE event payloads) to a file, deterministically.

    python scripts/openapi.py web/dashboard/openapi.json

Run by ``make wire-types``, which then generates the dashboard's TypeScript types from it. No
database or configuration is needed: the document depends on the code only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tarsy.api.app import create_app
from tarsy.api.openapi import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="file to write (e.g. web/dashboard/openapi.json)")
    args = parser.parse_args(argv)
    text = render(create_app(env={}).openapi())
    if not args.out.is_file() or args.out.read_text("utf-8") != text:
        args.out.write_text(text, "utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
