"""Tenants: the branch/member tree, the branch services a member uses, their branding and procedure terms."""
