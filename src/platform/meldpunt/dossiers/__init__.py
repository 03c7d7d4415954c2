"""Dossiers: encrypted case documents and the object storage that holds them. Imports no domain module."""
