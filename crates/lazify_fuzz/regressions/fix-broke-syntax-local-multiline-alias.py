from os import (path as
    p)


def f():
    return p
