"""mineralgame: a multi-agent negotiation game of critical-minerals supply chains."""

__version__ = "0.1.0"
