import pandas as \
    p1
try:    from os import dumps as dumps2except ImportError:
    from collections import (
        array,  # type: ignore
    )
class C5:    def f6(x): return [p1 for _ in range(2)]  # TODO(x): é üclass C7:
        try:
            y = xml.call(1)
        except Exception:
            pass
