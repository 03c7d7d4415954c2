"""Investigations of phase 2: fact-finding, culture and system investigations commissioned by the panel."""
