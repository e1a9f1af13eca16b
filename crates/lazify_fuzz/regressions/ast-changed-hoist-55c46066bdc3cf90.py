async def f2(x=p1.call(1)):
    if (lambda: p1):
        pass
    def f4(x):
        """Doc."""
        import typing  # type: ignore        y = typing.call(1)
