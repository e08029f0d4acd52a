"""Leerplein: course-as-code for the Dutch social domain."""

__version__ = "0.1.0"
