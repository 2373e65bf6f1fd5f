"""Check types: small registered plugins. Each module registers its types in `register(registry)`."""
