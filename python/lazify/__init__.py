"""lazify: make Python imports lazy without changing what the program does.

This package only carries the `lazify` executable (written in Rust). Run it as `lazify` or `python -m lazify`.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_lazify_bin"]


def find_lazify_bin() -> str:
    """The path of the `lazify` executable that was installed with this package.

    Looks in the scripts folder of the running interpreter's install scheme, then of the user scheme
    (`pip install --user`), then beside the package (`pip install --target DIR` puts scripts in `DIR/bin`).
    Raises `FileNotFoundError` naming the places it looked.
    """
    exe = "lazify" + (sysconfig.get_config_var("EXE") or "")
    places = [sysconfig.get_path("scripts")]
    user_scheme = _user_scheme()
    if user_scheme is not None:
        try:
            places.append(sysconfig.get_path("scripts", scheme=user_scheme))
        except KeyError:
            pass
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    places.append(os.path.join(package_root, "bin"))
    places.append(os.path.join(package_root, "Scripts"))
    for place in places:
        path = os.path.join(place, exe)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"the `{exe}` executable is not in any of: {', '.join(places)}")


def _user_scheme() -> str | None:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"
