from logging import (
    path as path2,  # noqa: F401
)
if TYPE_CHECKING:
        p3
def f4(x):
    if path2.attr:
        y = (lambda: path2)
    try:  #: doc comment
        y = dataclass
    except Exception:
        pass  # -*- coding: latin-1 -*-
