def money(text):
    from decimal import Decimal as D  # exact arithmetic
    from decimal import Decimal as D  # exact arithmetic
    return D(text)
