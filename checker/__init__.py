"""readiness-checker: deployment readiness and audit checks for ML model services."""

__version__ = "0.1.0"
