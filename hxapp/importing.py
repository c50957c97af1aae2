"""Streamlit side of the Import page (pages/nhap_du_lieu.py): upload, column matching, the problems in
three kinds, the preview, confirmation, history with undo, and the saved column matchings.

The reading, checks, preview and writes live in hxcore.io.importer; the words and tables of the
preview in hxcore.present.import_preview. This file draws them and keeps the editor's column
choices in st.session_state (their widgets' keys carry the file's hash, so a new file starts afresh).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from hxapp.auth import current_session
from hxapp.view import DEFAULT_PERIOD
from hxcore.io import importer, templates
from hxcore.io.auth import PermissionDenied
from hxcore.io.importer import preview, profiles
from hxcore.io.importer.problems import Severity, problems_frame
from hxcore.model.periods import Period
from hxcore.model.texts import t
from hxcore.present import fmt
from hxcore.present import import_preview as words

FILE_TYPES = ["xlsx", "xls", "ods", "csv"]
SHOWN_LINES = 12  # notices or warnings listed in full above the table; the rest are in the table
MARKED_STYLE = "background-color: #fff3cd"  # new, dissolved, large jump: the rows to look at twice
_FLASH = "imp-flash-{}"  # the result of an undo or a deletion, shown once after the rerun that redraws the tables

# The uploader's own words are English and it takes no placeholder: they are hidden and the
# Vietnamese hint (import_file_ph) is written in their place by CSS content.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{ content: "{hint}"; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{ content: "{button}"; }}
</style>"""


@dataclass(frozen=True)
class Upload:
    data: bytes
    name: str
    period: str


@dataclass(frozen=True)
class Reading:
    """The dry run, with the columns the editor chose (None: none needed) and the name to save them under."""

    plan: importer.ImportPlan
    mapping: dict | None = None
    profile_name: str = ""


def templates_section(lang: str) -> None:
    with st.expander(t("import_templates", lang)):
        st.download_button(t("import_template_xlsx", lang), templates.template_xlsx(), templates.XLSX_FILE_NAME,
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        for column, sheet in zip(st.columns(len(importer.SHEETS)), importer.SHEETS, strict=True):
            column.download_button(t("import_template_csv", lang, sheet=sheet.title), templates.template_csv(sheet.key),
                                   templates.TEMPLATE_FILE_NAMES[sheet.key], mime="text/csv", key=f"tpl-{sheet.key}")


def upload(lang: str) -> Upload | None:
    """The period and the file, once both are acceptable (each refusal said on the page)."""
    period = st.text_input(t("import_period", lang), value=DEFAULT_PERIOD, help=t("import_period_help", lang))
    hint = t("import_file_ph", lang, mb=importer.MAX_FILE_BYTES // (1024 * 1024))
    st.html(UPLOADER_CSS.format(hint=hint, button=t("import_file_button", lang)))
    chosen = chosen_file(lang)
    if chosen is None:
        return None
    name, data = chosen
    if len(data) > importer.MAX_FILE_BYTES:
        st.error(t("import_too_big", lang, mb=importer.MAX_FILE_BYTES // (1024 * 1024)))
        return None
    try:
        Period.parse(period)
    except ValueError as error:
        st.error(str(error))
        return None
    return Upload(data, name, period)


def chosen_file(lang: str) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes (the one widget AppTest cannot drive: tests put a file here)."""
    file = st.file_uploader(t("import_file", lang), type=FILE_TYPES)
    return None if file is None else (file.name, file.getvalue())


def read(engine, upload: Upload, lang: str) -> Reading:
    """The dry run; when a required column is not found, the editor's choice of column (pre-filled
    with the best guess) and the dry run again with it."""
    plan = importer.prepare_import(engine, upload.data, upload.name, upload.period)
    if not plan.unmapped:
        return Reading(plan)
    mapping, name = column_choices(plan, lang)
    if not mapping:
        return Reading(plan)
    return Reading(importer.prepare_import(engine, upload.data, upload.name, upload.period, mapping=mapping), mapping, name)


def column_choices(plan: importer.ImportPlan, lang: str) -> tuple[dict, str]:
    """One select box per missing required column: sheet kind -> column key -> the file's header chosen."""
    st.subheader(t("import_mapping", lang))
    st.caption(t("import_mapping_intro", lang))
    mapping: dict[str, dict[str, str]] = {}
    for located in plan.unmapped:
        headers = [h for h in located.headers if h.strip()]
        for key, guess in located.suggestions.items():
            column = located.spec.col(key).header
            guessed = located.headers[guess] if guess is not None else None
            st.warning(fmt.markdown_escaped(t("import_missing_column", lang, column=column, guess=guessed) if guessed
                                            else t("import_missing_column_no_guess", lang, column=column)))
            chosen = st.selectbox(t("import_column_for", lang, column=column, sheet=located.sheet), headers,
                                  index=headers.index(guessed) if guessed in headers else None,
                                  placeholder=t("import_column_ph", lang), key=f"imp-{plan.sha256[:12]}-{located.sheet}-{key}")
            if chosen:
                mapping.setdefault(located.spec.key, {})[key] = chosen
    first = plan.unmapped[0]
    suggested = " · ".join(part for part in (first.office, first.sheet) if part)
    name = st.text_input(t("import_profile_name", lang), value=suggested, help=t("import_profile_name_help", lang),
                         key=f"imp-{plan.sha256[:12]}-profile", max_chars=120)
    return mapping, name


def _lines(problems: list, lang: str) -> str:
    shown = [f"- {fmt.markdown_escaped(words.problem_line(p, lang))}" for p in problems[:SHOWN_LINES]]
    more = len(problems) - SHOWN_LINES
    return "\n".join(shown + ([f"- … (+{more})"] if more > 0 else []))


def problems_section(plan: importer.ImportPlan, lang: str) -> None:
    """Errors (they block), warnings and notices (what the importer did on its own), each said as such."""
    by = {severity: [p for p in plan.problems if p.severity == severity] for severity in Severity}
    if by[Severity.ERROR]:
        st.error(t("import_errors", lang, n=len(by[Severity.ERROR])))
        st.dataframe(problems_frame(by[Severity.ERROR]), hide_index=True)  # file contents as data, never Markdown
    if by[Severity.WARNING]:
        st.warning(f"**{t('import_warnings', lang, n=len(by[Severity.WARNING]))}**\n\n{_lines(by[Severity.WARNING], lang)}")
    if by[Severity.NOTICE]:
        st.info(f"**{t('import_notices', lang, n=len(by[Severity.NOTICE]))}**\n\n{_lines(by[Severity.NOTICE], lang)}")
    if plan.problems:
        with st.expander(t("import_all_problems", lang, n=len(plan.problems))):
            st.dataframe(plan.problems_frame(), hide_index=True)
            st.download_button(t("import_problems_download", lang), plan.problems_csv(), "loi-nhap-du-lieu.csv",
                               mime="text/csv")


def preview_section(engine, plan: importer.ImportPlan, lang: str) -> None:
    """What the import would change: the headline figures per district and province, then each organisation."""
    st.subheader(t("import_preview_title", lang))
    st.dataframe(plan.summary_frame(), hide_index=True)
    shown = preview.preview(engine, plan)
    st.markdown(f"**{t('import_preview_headline', lang)}**")
    lines = words.headline_lines(shown.indicators, lang)
    st.markdown("\n".join(f"- **{fmt.markdown_escaped(text)}**" if jump else f"- {fmt.markdown_escaped(text)}"
                          for text, jump in lines) or t("import_preview_no_change", lang))
    table, unchanged = words.organisations_table(shown.organisations, lang)
    st.markdown(f"**{t('import_preview_orgs', lang, n=len(table))}**")
    if not table.empty:
        marked = words.marked(table, lang)
        st.dataframe(table.style.apply(lambda row: [MARKED_STYLE if marked[row.name] else ""] * len(row), axis=1),
                     hide_index=True)
        if marked.any():
            st.caption(t("import_preview_marked", lang))
    if unchanged:
        st.caption(t("import_preview_unchanged", lang, n=unchanged))
    for name, frame in plan.previews.items():
        with st.expander(t("import_preview", lang, sheet=name, n=len(frame))):
            st.dataframe(frame, hide_index=True)  # the rows as read (names converted from TCVN3 shown as stored)


def confirm(engine, upload: Upload, reading: Reading, lang: str) -> None:
    """"Xác nhận nhập": the import in one transaction (backup, log, undo), then the column matching saved."""
    plan = reading.plan
    st.success(t("import_ready", lang, added=plan.rows_added, changed=plan.rows_changed))
    if not st.button(t("import_confirm", lang), type="primary"):
        return
    session = current_session()
    try:
        record = importer.commit_import(engine, upload.data, upload.name, upload.period, session, checked=plan,
                                        mapping=reading.mapping)
    except (PermissionDenied, importer.ImportRejected) as error:
        st.error(str(error))
        return
    st.cache_data.clear()
    st.info(record.note) if record.unchanged else st.success(
        t("import_done", lang, id=record.id, added=record.rows_added, changed=record.rows_changed))
    if reading.mapping and reading.profile_name.strip():
        for table in (table for table in plan.tables if table.spec.key in reading.mapping):
            saved = profiles.save(engine, reading.profile_name, table, session)
            st.success(t("import_profile_saved", lang, name=saved.name))


def _flash(section: str) -> None:
    if _FLASH.format(section) in st.session_state:
        st.success(st.session_state.pop(_FLASH.format(section)))


def history_section(engine, lang: str) -> None:
    """The imports, newest first, and the undo of the latest one still in force."""
    st.subheader(t("import_history", lang))
    _flash("history")
    history = importer.import_history(engine)
    if history.empty:
        st.caption(t("import_history_none", lang))
        return
    st.dataframe(words.history_table(history, lang), hide_index=True)
    active = history[history["status"] == "committed"]
    if active.empty:
        return
    latest = int(active["id"].iloc[0])
    if st.button(t("import_undo", lang, id=latest)):
        try:
            importer.undo_import(engine, latest, current_session())
        except (PermissionDenied, ValueError) as error:
            st.error(str(error))
        else:
            st.cache_data.clear()
            st.session_state[_FLASH.format("history")] = t("import_undone", lang, id=latest)
            st.rerun()


def profiles_section(engine, lang: str) -> None:
    """The saved column matchings, and deleting one."""
    st.subheader(t("import_profiles", lang))
    _flash("profiles")
    saved = profiles.listed(engine)
    if saved.empty:
        st.caption(t("import_profiles_none", lang))
        return
    st.dataframe(saved, hide_index=True)
    names = list(saved[profiles.PROFILE_COLUMNS["name"]])
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.selectbox(t("import_profile_pick", lang), names, index=None, placeholder=t("import_profile_pick_ph", lang),
                          key="imp-profile-delete")
    if right.button(t("import_profile_delete", lang), disabled=name is None):
        try:
            profiles.remove(engine, name, current_session())
        except PermissionDenied as error:
            st.error(str(error))
        else:
            st.session_state[_FLASH.format("profiles")] = t("import_profile_deleted", lang, name=name)
            st.rerun()
