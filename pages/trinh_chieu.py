"""Trình chiếu: one indicator per screen for the projector: the figure, its target, the districts."""

import streamlit as st

from hxapp import ui
from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType, is_additive
from hxcore.model.texts import t
from hxcore.model.vocab import sector_label
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang

HEADLINES = ["coops_total", "coops_operating", "coop_charter_capital", "coop_members_workers", "groups_total"]

st.markdown(f"**{t('app_title', lang)} · {view.period.label(lang)} · {ui.filter_text(view)}**")
top = st.columns([3, 2, 2, 3])
auto = top[0].toggle(t("auto_advance", lang), key="present_auto")
top[3].button(t("exit_present", lang), on_click=ui.leave_presentation, key="present_exit", width="stretch")
if not ui.has_data(engine, view):
    st.stop()

targets = ui.targets_frame(engine, view.flt)
slides = [("kpi", code) for code in HEADLINES]
slides += [("target", i) for i in (targets.index if not targets.empty else [])]


def move(step: int) -> None:
    st.session_state["present_slide"] = (st.session_state.get("present_slide", 0) + step) % len(slides)


top[1].button(t("prev", lang), on_click=move, args=(-1,), key="present_prev", width="stretch")
top[2].button(t("next", lang), on_click=move, args=(1,), key="present_next", width="stretch", type="primary")


@st.fragment(run_every=20 if auto else None)
def slide() -> None:
    if auto and st.session_state.get("present_ticked"):
        move(1)
    st.session_state["present_ticked"] = bool(auto)
    index = st.session_state.get("present_slide", 0) % len(slides)
    kind, ref = slides[index]
    frame = ui.indicators_frame(engine, view.flt)
    rows = frame.set_index("indicator")
    code = ref if kind == "kpi" else targets.loc[ref, "indicator"]
    ind = INDICATORS_BY_CODE[code]
    sector = targets.loc[ref, "sector"] if kind == "target" else None
    sector = sector if isinstance(sector, str) and sector else None
    title = ui.indicator_label(code, lang)
    if sector:

        title += f" ({sector_label(sector, lang)})"
    st.title(title)
    left, right = st.columns([2, 3])
    with left:
        if kind == "kpi" or sector is None:
            row = rows.loc[code].to_dict()
            row["indicator"] = code
            unit = "" if ind.unit == "%" else f" {ind.unit}"
            st.markdown(f'<div style="font-size:76px;font-weight:700;color:#000;line-height:1.1">'
                        f'{ui.value_text(row, lang)}<span style="font-size:34px">{unit}</span></div>',
                        unsafe_allow_html=True)
            delta, _, colour = ui.change_text(row, lang)
            if delta:
                st.markdown(f"### :{colour}[{delta}]")
            ratio = fmt.ratio_note(row.get("numerator"), row.get("denominator"), lang) if ind.unit == "%" else ""
            if ratio:
                st.markdown(f"### {ratio}")
        else:
            r = targets.loc[ref]
            st.metric(title, fmt.indicator_value(r["actual"], ind.unit, 1, lang), border=True)
            st.caption(fmt.ratio_note(r["numerator"], r["denominator"], lang))
        if kind == "target":
            r = targets.loc[ref]
            decimals = 1 if ind.unit == "%" or ind.type == IndicatorType.AVERAGE else 0
            target_text = fmt.indicator_value(r["target"], ind.unit, decimals, lang)
            if r["expected"] is not None and r["expected"] == r["expected"]:
                st.markdown(t("target_of", lang, target=target_text,
                              expected=fmt.indicator_value(r["expected"], ind.unit, decimals, lang)))
            else:
                st.markdown(t("target_only", lang, target=target_text))
            st.markdown(f"## {ui.status_label(r['status'], lang)} · "
                        f"{t('attained', lang, pct=fmt.percent(r['attainment'], 0, lang))}")
            bullet = targets.loc[[ref]].copy()
            bullet["display_label"] = title
            ui.chart(charts.bullet_chart(charts.bullet_frame(bullet, view.status_labels, lang), view.status_labels,
                                         presentation=True, lang=lang, width=460))
    with right:
        st.markdown(f"**{t('district_ranking', lang)}**")
        scope = view.flt if not sector else view.flt.__class__(**{**view.flt.__dict__, "sectors": (sector,)})
        by_district = ui.indicators_frame(engine, scope, [code], by="district", compare=False, with_targets=False)
        by_district = by_district[by_district["value"].notna()].copy()
        by_district["text"] = by_district["value"].map(lambda v: fmt.indicator_value(v, ind.unit, ind.decimals, lang))
        target = None
        if kind == "target" and not is_additive(ind):
            target = float(targets.loc[ref, "target"])
        if not by_district.empty:
            ui.chart(charts.ranking_chart(by_district, label="district_name", value="value", text="text",
                                          target=target, presentation=True, lang=lang, decimals=ind.decimals))
    st.caption(t("slide", lang, i=index + 1, n=len(slides)) + " · "
               + t("as_of", lang, day=fmt.day(view.period.end, lang)) + " · " + ui.filter_text(view))


slide()
