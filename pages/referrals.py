"""Referrals: NRM referrals and Duty to Notify notifications for the chosen period, the year and
every year loaded, and the local picture beside the wider area's. Small counts read `<5`."""

import streamlit as st

from cams_data import cache, ui
from cams_data import referral_figures as rf

selection = ui.selection()
period = selection.period
ui.page_header(
    "Referrals",
    selection,
    "NRM referrals and Duty to Notify notifications; the organisation filter does not apply",
)
summary = cache.get(rf.summary, period)
where = f"{period.label} ({period.description}) · {summary.geography}"

if not summary.local_loaded:
    ui.no_data(summary.message)
else:
    st.caption(rf.SUPPRESSION_NOTE)
    st.subheader(f"{period.label}: {period.description}")
    if summary.has_data:
        st.caption(summary.coverage)
        for column, row in zip(
            st.columns(len(summary.totals)), summary.totals.itertuples(index=False), strict=True
        ):
            column.metric(row[0], row[1], border=True)
        for key, query in (
            ("exploitation", rf.by_exploitation),
            ("age", rf.by_age),
            ("agency", rf.by_agency),
        ):

            def draw(query=query):
                breakdown = cache.get(query, period)
                return rf.breakdown_chart(breakdown, where, period.label), breakdown.table

            breakdown = cache.get(query, period)
            ui.chart(*draw(), breakdown.description, key, published=draw)
            for note in breakdown.notes:
                st.caption(note)
    else:
        ui.no_data(summary.message)
    for note in summary.notes:
        st.caption(note)

    over = cache.get(rf.over_time, period)
    st.subheader(f"Over the year {over.year_label}")
    if over.empty:
        ui.no_data(over.description)
    else:

        def draw_over_time():
            over = cache.get(rf.over_time, period)
            subtitle = f"{over.year_label} (April to March) · {summary.geography}"
            return rf.over_time_chart(over, subtitle), over.table

        ui.chart(*draw_over_time(), over.description, "over-time", published=draw_over_time)
        for note in over.notes:
            st.caption(note)

    years = cache.get(rf.financial_years)
    st.subheader("By financial year")
    if years.empty:
        ui.no_data(years.description)
    else:

        def draw_years():
            years = cache.get(rf.financial_years)
            subtitle = f"April to March, every year loaded · {summary.geography}"
            return rf.years_chart(years, subtitle), years.table

        ui.chart(*draw_years(), years.description, "years", published=draw_years)
        for note in years.notes:
            st.caption(note)

if summary.any_loaded:
    st.subheader("Compared with the wider area")
    comparison = cache.get(rf.comparison, period)
    if len(comparison.referral_types) > 1:
        chosen = st.segmented_control(
            "Referral type to compare",
            comparison.referral_types,
            default=comparison.referral_type,
            key="comparison_type",
        )
        if chosen and chosen != comparison.referral_type:
            comparison = cache.get(rf.comparison, period, None, chosen)
    if comparison.empty:
        ui.no_data(comparison.message)
    else:
        subtitle = f"{comparison.window} · each area's share of its own total"
        chosen_type = comparison.referral_type
        for number, shares in enumerate(comparison.panels):

            def draw_shares(number=number):
                shares = cache.get(rf.comparison, period, None, chosen_type).panels[number]
                return rf.comparison_chart(shares, subtitle), shares.table

            ui.chart(
                *draw_shares(),
                shares.description,
                f"compare-{shares.category}",
                published=draw_shares,
            )
        for note in comparison.notes:
            st.caption(note)
