"""Meldpunt: a shared reporting point for unwanted behaviour at work, for branches and their members."""

__version__ = "0.1.0"
