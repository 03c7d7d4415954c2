"""Reports and dashboards built on protected figures (DESIGN §15)."""
