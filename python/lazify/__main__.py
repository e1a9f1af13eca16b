"""`python -m lazify ARGS`: runs the bundled `lazify` executable with ARGS and exits with its status."""

from __future__ import annotations

import os
import sys

from lazify import find_lazify_bin


def main() -> None:
    lazify = os.fsdecode(find_lazify_bin())
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([lazify, *sys.argv[1:]]).returncode)
    os.execv(lazify, [lazify, *sys.argv[1:]])


if __name__ == "__main__":
    main()
