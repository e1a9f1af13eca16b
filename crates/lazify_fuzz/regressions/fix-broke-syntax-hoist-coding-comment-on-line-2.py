class C3((lambda: m1)):
    def f4(x=m1.call(1)):  # why
        from typing import (  # why
            helper,
            # -*- coding: latin-1 -*-
        )
        y = helper.attr
