"""louyu: a static-site generator for 1+N party-building station networks."""

import sys

__version__ = "0.1.0"

# Every `louyu build` is a fresh process. pip does not compile an editable
# install, and where PYTHONDONTWRITEBYTECODE is set Python would compile all
# of louyu's modules from source on every run (~20 ms of a 0.26 s rebuild).
# Python still keeps bytecode in __pycache__ beside the sources (ignored by
# git) and skips it silently where that folder is read-only.
sys.dont_write_bytecode = False
