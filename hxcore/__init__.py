"""hx core: indicators of Vietnam's collective economy, computed from a database.

Layers, one direction (tests/test_layers.py enforces it): model ← db ← engine ← present, io
← cli. Nothing in this package imports Streamlit; the app (hxapp/, pages/) and the CLI are
thin shells over it.
"""
