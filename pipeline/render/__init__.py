"""Renderers: a document context → bytes. They write nothing to disk."""
