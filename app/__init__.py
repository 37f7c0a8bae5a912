"""mcred: EU micro-credentials (European Learning Model) as signed W3C Verifiable Credentials."""
