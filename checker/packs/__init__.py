"""Rule packs: the YAML format, its JSON Schema, and loading with precise errors."""
