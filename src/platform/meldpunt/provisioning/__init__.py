"""Tenants as code: the YAML schema of ``tenants/`` and ``meldpunt tenants apply``, which writes tenants, people,
their grants and retention policies from it (above every module it provisions, below the commands)."""
