"""Storage functions: each takes the session first and never commits (the request or command owns the transaction)."""
