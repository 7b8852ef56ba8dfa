"""Referrals: NRM referrals and Duty to Notify notifications for the chosen period, the year and
every year loaded, and the local picture beside the wider area's. Small counts read `<5`."""

import streamlit as st

from cams_data import cache, ui
from cams_data import referral_figures as rf
from cams_data.disclosure import Audience
from cams_data.formatting import markdown_literal

selection = ui.selection()
period, audience = selection.period, selection.audience
ui.page_header(
    "Referrals",
    selection,
    "NRM referrals and Duty to Notify notifications; the organisation filter does not apply",
)
summary = cache.get(rf.summary, period, audience)
where = f"{period.label} ({period.description}) · {summary.geography}"


def captions(notes: list[str]) -> None:
    for note in notes:
        st.caption(markdown_literal(note))  # they name places and types from the files


if not summary.local_loaded:
    ui.no_data(summary.message)
else:
    st.caption(rf.SUPPRESSION_NOTE)
    st.subheader(f"{period.label}: {period.description}")
    if summary.has_data:
        st.caption(markdown_literal(summary.coverage))
        for column, row in zip(
            st.columns(len(summary.totals)), summary.totals.itertuples(index=False), strict=True
        ):
            column.metric(markdown_literal(row[0]), row[1], border=True)
        for key, query in (
            ("exploitation", rf.by_exploitation),
            ("age", rf.by_age),
            ("agency", rf.by_agency),
        ):

            def draw(audience, query=query):
                breakdown = cache.get(query, period, audience)
                return rf.breakdown_chart(breakdown, where, period.label), breakdown.table

            breakdown = cache.get(query, period, audience)
            ui.chart(
                *draw(audience),
                breakdown.description,
                key,
                published=lambda draw=draw: draw(Audience.PUBLICATION),
            )
            captions(breakdown.notes)
    else:
        ui.no_data(summary.message)
    captions(summary.notes)

    over = cache.get(rf.over_time, period, audience)
    st.subheader(f"Over the year {over.year_label}")
    if over.empty:
        ui.no_data(over.description)
    else:

        def draw_over_time(audience):
            over = cache.get(rf.over_time, period, audience)
            covers = f"{over.part_year}, year to date" if over.part_year else "April to March"
            subtitle = f"{over.year_label} ({covers}) · {summary.geography}"
            return rf.over_time_chart(over, subtitle), over.table

        ui.chart(
            *draw_over_time(audience),
            over.description,
            "over-time",
            published=lambda: draw_over_time(Audience.PUBLICATION),
        )
        captions(over.notes)

    years = cache.get(rf.financial_years, audience)
    st.subheader("By financial year")
    if years.empty:
        ui.no_data(years.description)
    else:

        def draw_years(audience):
            years = cache.get(rf.financial_years, audience)
            subtitle = f"April to March, every year loaded · {summary.geography}"
            return rf.years_chart(years, subtitle), years.table

        ui.chart(
            *draw_years(audience),
            years.description,
            "years",
            published=lambda: draw_years(Audience.PUBLICATION),
        )
        captions(years.notes)

if summary.any_loaded:
    st.subheader("Compared with the wider area")
    comparison = cache.get(rf.comparison, period, audience)
    if len(comparison.referral_types) > 1:
        chosen = st.segmented_control(
            "Referral type to compare",
            comparison.referral_types,
            default=comparison.referral_type,
            key="comparison_type",
        )
        if chosen and chosen != comparison.referral_type:
            comparison = cache.get(rf.comparison, period, audience, chosen)
    if comparison.empty:
        ui.no_data(comparison.message)
    else:
        subtitle = f"{comparison.window} · each area's share of its own total"
        chosen_type = comparison.referral_type
        for number, shares in enumerate(comparison.panels):

            def draw_shares(audience, number=number):
                shares = cache.get(rf.comparison, period, audience, chosen_type).panels[number]
                return rf.comparison_chart(shares, subtitle), shares.table

            ui.chart(
                *draw_shares(audience),
                shares.description,
                f"compare-{shares.category}",
                published=lambda draw=draw_shares: draw(Audience.PUBLICATION),
            )
        captions(comparison.notes)
