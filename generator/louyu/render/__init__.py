"""Rendering: the only package that touches MkDocs and Material."""
