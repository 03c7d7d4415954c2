"""The web layer: middleware, health endpoints, error pages and (later) templates shared by all modules."""
