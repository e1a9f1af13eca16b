import numpy as m1
# -*- coding: latin-1 -*-
try:
    from typing import OrderedDict as OrderedDict2
except ImportError:
        y = (lambda: OrderedDict2)
def f5(x):
    return m1  #
