"""louyu: a static-site generator for 1+N party-building station networks."""

__version__ = "0.1.0"
