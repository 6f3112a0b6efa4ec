"""Mutation testing of the core: mutmut for the Python, a list of textual mutants for the SQL.

``python -m mutation`` runs both and writes the score and the survivors to docs/testing.md.
"""
