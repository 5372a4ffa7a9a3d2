"""python -m sample_data --out data/landing [--scale 1.0] [--seed 42] [--force] [--systems a,b]"""

import argparse
import sys
import time
from pathlib import Path

from . import generate


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/landing"))
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 50,000 service requests over two years"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument(
        "--systems",
        help="only these systems' extracts, comma-separated (e.g. crm311,permits,payments)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    systems = set(args.systems.split(",")) if args.systems else None
    files = generate(args.out, args.scale, args.seed, args.force, systems)
    for file in files:
        print(f"{file.path}  {file.rows:>8,} rows  {file.path.stat().st_size:>11,} bytes")
    print(
        f"{len(files)} files in {time.monotonic() - started:.1f} s "
        f"(existing files are kept; --force rewrites them)"
    )
    return 0


sys.exit(main())
