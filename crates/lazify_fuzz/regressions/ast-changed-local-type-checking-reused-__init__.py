TYPE_CHECKING = False
from pkg.sub import array as array1001
__all__ = ["Markdown", "Extra"]
_lazy_attrib= {
}
