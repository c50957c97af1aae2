"""Import registers and half-year returns from the Excel/CSV files offices really produce.

`prepare_import` reads and validates every row without writing (the dry run); `commit_import`
takes the database's lease (one import at a time), checks the file inside one transaction, makes
a backup copy of the SQLite file, and writes all or nothing. Every committed import is logged with
what it changed, so `undo_import` can put exactly those rows back (refused while a later import
changed them). Writes need an editor `Session` (hxcore.io.auth): the check is here, not in the page.

The stages, in the order data flows (each a module of this package):

    spec      the sheets and their columns, declared as rows (SHEETS)
    read      bytes -> raw sheets (xlsx or CSV in any of the encodings offices use; size and zip-bomb limits)
    locate    raw sheet -> table: header row, kind of sheet, column mapping, data rows
    parse     cells -> typed values (numbers, dates, areas, closed lists), by each column's `parse_as`
    validate  typed values -> per-cell problems, by a pandera schema built from the columns
    plan      valid rows -> changes, with the business rules (rules.py) and organisation matching
    write     one transaction: backup, changes, log; undo; backups rotated
    lock      one import (or undo) at a time per database: the lease and who holds it
    pipeline  the dry run: the stages above on one file, into an ImportPlan

problems.py holds what every stage reports (Problem, Severity); context.py the reference data.
"""

from hxcore.io.importer.context import org_key_name
from hxcore.io.importer.locate import EXAMPLE_MARK, GUIDE_SHEETS, Table
from hxcore.io.importer.parse import Invalid, parse_date, parse_number, parse_sector
from hxcore.io.importer.pipeline import prepare_import
from hxcore.io.importer.plan import ImportPlan
from hxcore.io.importer.problems import PROBLEM_COLUMNS, SEVERITY_LABELS, Problem, Severity
from hxcore.io.importer.read import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    FileProblem,
    Grid,
    decode_text,
    read_file,
)
from hxcore.io.importer.spec import SHEETS, SHEETS_BY_KEY, Col, ParseAs, Sheet
from hxcore.io.importer.write import (
    ImportBusy,
    ImportRecord,
    ImportRejected,
    UndoRefused,
    backup_keep,
    backup_sqlite,
    commit_import,
    database_fingerprint,
    import_history,
    undo_import,
)

__all__ = [
    "EXAMPLE_MARK", "GUIDE_SHEETS", "MAX_CELL_CHARS", "MAX_FILE_BYTES", "MAX_RATIO", "MAX_ROWS", "MAX_UNZIPPED_BYTES",
    "PROBLEM_COLUMNS", "SEVERITY_LABELS", "SHEETS", "SHEETS_BY_KEY", "Col", "FileProblem", "Grid", "ImportBusy", "ImportPlan",
    "ImportRecord", "ImportRejected", "Invalid", "ParseAs", "Problem", "Severity", "Sheet", "Table", "UndoRefused",
    "backup_keep", "backup_sqlite", "commit_import", "database_fingerprint", "decode_text", "import_history",
    "org_key_name", "parse_date", "parse_number", "parse_sector", "prepare_import", "read_file", "undo_import",
]
