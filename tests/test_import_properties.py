"""Mutated files: always either a correct import or clear per-row errors with the database untouched."""

from __future__ import annotations

import io
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from test_import import EDITOR, EXPECTED, HEADER, ROWS, csv_text, org_rows, to_cp1258

from hxcore.db.schema import create_schema, make_engine
from hxcore.io import importer

ALIASES = {"Tên HTX": ["ten htx", "TÊN HỢP TÁC XÃ"], "Huyện/thành phố": ["Huyện", "huyen/tp"],
           "Xã/phường/thị trấn": ["Xã", "XA, PHUONG, THI TRAN"], "Lĩnh vực": ["ngành"],
           "Ngày đăng ký": ["Ngày thành lập", "NGAY DANG KY"], "Ngày giải thể": ["ngay giai the"]}
GOOD = {(n, d, s, r if not n.startswith("HTX Vận tải") else None, x) for n, d, s, r, x in EXPECTED}
BREAKING = ["bad_number_date", "unknown_area", "duplicate", "truncate", "mojibake", "dissolved_before"]


def _rows():
    rows = [list(r) for r in ROWS]
    rows[2][4] = "15/3/2023"  # one date form here; forms are tested in test_import
    return rows


def _arrange(data, rng) -> tuple[list[str], list[list[str]], list[int]]:
    """The good file's header and rows, its columns shuffled and renamed, maybe with a blank row, as drawn."""
    rows, header = _rows(), list(HEADER)
    order = list(range(len(header)))
    if data.draw(st.booleans(), "shuffle"):
        rng.shuffle(order)
    header = [rng.choice([h, *ALIASES[h]]) if data.draw(st.booleans(), f"rename {h}") else h for h in header]
    header = [header[i] for i in order]
    rows = [[row[i] for i in order] for row in rows]
    if data.draw(st.booleans(), "blank rows"):
        rows.insert(rng.randrange(len(rows) + 1), [""] * len(header))
    return header, rows, order


def _break_cells(rows: list[list[str]], order: list[int], breaking: str | None, rng) -> None:
    """The breaking mutations that change cells: a bad number or date, an unknown area, a duplicate, a dissolution."""
    date_col, district_col = order.index(4), order.index(1)
    if breaking == "bad_number_date":
        rows[rng.randrange(3)][date_col] = rng.choice(["31/2/2023", "abc", "2023-13-01", "-5"])
    elif breaking == "unknown_area":
        rows[rng.randrange(3)][district_col] = rng.choice(["Huyện Không Có", "Tam Đườngg xyz", "999"])
    elif breaking == "duplicate":
        rows.append(list(rows[rng.randrange(3)]))
    elif breaking == "dissolved_before":
        rows[0][order.index(5)] = "1/1/2000"


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _encode(text: str, encoding: str, header: list[str], rows: list[list[str]]) -> tuple[bytes, str]:
    if encoding == "xlsx":
        return _xlsx(header, rows), "htx.xlsx"
    return (to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)), "htx.csv"


def _break_bytes(payload: bytes, name: str, text: str, breaking: str | None, rng) -> tuple[bytes, str]:
    """The breaking mutations that damage the file: mojibake and truncation."""
    if breaking == "mojibake":  # UTF-8 read as Windows-1252 and saved again
        payload, name = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), "htx.csv"
    if breaking == "truncate":
        payload = payload[: rng.randrange(1, len(payload) - 2)]
    return payload, name


def _assert_rejected_cleanly(error: importer.ImportRejected, engine, before: str, breaking: str | None) -> None:
    assert importer.database_fingerprint(engine) == before
    assert error.plan.errors
    for problem in error.plan.errors:
        assert problem.sheet and problem.expected and problem.row >= 0
    assert breaking is not None, error.plan.problems_frame().to_string()


def _assert_imported(engine, breaking: str | None) -> None:
    imported = {(n, d, s, r if not n.startswith("HTX Vận tải") else None, x) for n, d, s, r, x in org_rows(engine)}
    if breaking == "truncate":
        assert imported <= GOOD  # only whole lines survive a cut that falls on a line end
    else:
        assert imported == GOOD, breaking


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files(tmp_path_factory, data):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('p') / 'hx.sqlite'}")
    create_schema(engine)
    rng = random.Random(data.draw(st.integers(0, 10_000)))
    header, rows, order = _arrange(data, rng)
    breaking = data.draw(st.sampled_from([None, None, *BREAKING]), "breaking")
    _break_cells(rows, order, breaking, rng)
    text = csv_text(rows, header, sep=data.draw(st.sampled_from([",", ";", "\t"]), "sep"))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "xlsx"]), "encoding")
    payload, name = _break_bytes(*_encode(text, encoding, header, rows), text, breaking, rng)
    before = importer.database_fingerprint(engine)
    try:
        importer.commit_import(engine, payload, name, "2023-H1", EDITOR)
    except importer.ImportRejected as error:
        _assert_rejected_cleanly(error, engine, before, breaking)
        return
    _assert_imported(engine, breaking)
