"""fraud-scorer: real-time fraud scoring for card transactions."""

__version__ = "1.4.0"

__all__ = ["__version__"]
