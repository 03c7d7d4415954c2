"""Sector trends: anonymised facts at a case's milestones and (later) the protected releases built on them."""
