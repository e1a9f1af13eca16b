"""Module docstring."""
from logging import \    post
from collections.abc import (OrderedDict as    q2)# lazify: keep
__all__ = ["getLogger", "Any1"]def f3(x=getLogger):
        y = post.attr
