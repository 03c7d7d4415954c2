"""The append-only, hash-chained audit log per tenant. Entries say who did what, when, to which resource:
ids and kinds only, never case content. Imports no domain module."""
