"""Database access: engine, declarative base, tenant-scoped mixin and the tenant context.

Row-level security in PostgreSQL is what isolates tenants; this package only opens the context that the
policies read. It imports no domain module.
"""

from meldpunt.db.base import Base, TenantScoped
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker

__all__ = ("Base", "TenantScoped", "create_engine", "create_sessionmaker", "tenant_context")
