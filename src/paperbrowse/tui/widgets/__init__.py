"""The main screen's widgets: each posts messages the screen handles, and keeps its own look in DEFAULT_CSS."""
