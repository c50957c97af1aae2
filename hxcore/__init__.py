"""hx core: indicators of Vietnam's collective economy, computed from a database.

Nothing in this package imports Streamlit; the app and the CLI are thin shells over it.
"""

from hxcore.compute import Filter, evaluate
from hxcore.targets import target_table

__all__ = ["Filter", "evaluate", "target_table"]
