def parse(text):
    from decimal import (
        Decimal,  # money
        Decimal,  # money
    )
    return Decimal(text)
