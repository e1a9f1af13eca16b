def m(text):
    from decimal import Decimal as D  # exact arithmetic
    return D(text)
\
def parse(text):
    from xml.dom import minidom
