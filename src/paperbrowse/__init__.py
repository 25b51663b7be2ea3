"""paperbrowse: a keyboard-driven terminal browser for research papers."""

__version__ = "0.1.0"
