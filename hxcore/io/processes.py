"""Is a process that left a file or a lock behind still running? (killed builds, killed imports)"""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True while `pid` runs on this machine (signal 0 checks without touching it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True
