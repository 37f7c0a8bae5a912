"""The pure credential domain: dict in, dict out. No web framework, database or network imports here."""
