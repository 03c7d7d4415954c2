"""Tenants: the branch/member tree, the branch services a member uses, and tenants as code."""
