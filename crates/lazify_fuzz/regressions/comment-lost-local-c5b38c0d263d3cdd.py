from pkg import OrderedDict  #!not a shebang
def f2(x):    q1 = 1def f3(x):
    """Doc."""
    # lazify: keep    y = q1
    if Thing:
        y = OrderedDict.attr
