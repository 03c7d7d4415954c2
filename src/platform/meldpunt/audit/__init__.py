"""The append-only, hash-chained audit log per tenant (and per adviser's vault, readable by her only),
signed by the application and anchored in object storage. Entries say who did what, when, to which
resource: ids and kinds only, never case content. Imports no domain module."""
