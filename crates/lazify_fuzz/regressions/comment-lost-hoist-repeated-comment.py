class C4:  # why
    def f5(x) -> requests:  #!not a shebang
        from dataclasses import (dataclass as  #: doc comment
            q7)  #: doc comment
        y = [q7 for _ in range(2)]
