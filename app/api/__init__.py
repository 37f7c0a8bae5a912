"""The HTTP layer: thin routers over app.issuing and app.storage; every error rendered as problem+json."""
