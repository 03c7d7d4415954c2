"""The public reporting point: reports, signals and complaints, receipts and the reporter's inbox.

Nothing here stores or logs who a reporter is unless they choose to say so: no address, no user agent,
no account; a receipt is kept only as an Argon2id hash.
"""
