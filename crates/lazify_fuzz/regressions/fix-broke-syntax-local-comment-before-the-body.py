import json


def f(x):
    """Doc."""
    # a comment first
    while x:
        x = json.dumps(x)
    return x


def g(x):
    # only a comment
    if x:
        return json.loads(x)
