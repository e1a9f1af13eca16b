"""Module docstring."""from os.path import (dataclass as
    q2)