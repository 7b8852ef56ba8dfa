"""Staff survey: each question's answers, by service area, and wave against wave."""

import streamlit as st

from cams_data import cache, ui
from cams_data import survey_figures as survey
from cams_data.formatting import markdown_literal

selection = ui.selection()
ui.page_header("Staff survey", selection)
period = selection.period

names = cache.get(survey.wave_names)
if not names:
    ui.no_data(
        "No staff survey responses yet: upload the survey tool's export (Microsoft Forms, one "
        "row per response) with `python -m cams_data ingest FILE --wave 2025-10`, then check it "
        "on the Data loaded page."
    )
else:
    default = cache.get(survey.default_wave, period.label)
    wave = st.selectbox(
        "Survey wave",
        names,
        index=names.index(default) if default else len(names) - 1,
        format_func=survey.wave_option,
        key=f"survey-wave-{period.label}",
        help="The latest wave held by the end of the selected period is shown first; any wave "
        "can be chosen.",
    )
    if default is None:
        st.caption(
            f"No survey wave had been held by the end of {period.label}: showing the earliest."
        )
    report = cache.get(survey.survey_report, wave)
    respondents = cache.get(survey.wave_respondents, wave)

    left, middle, right = st.columns(3)
    left.metric("Respondents", f"{respondents:,}", border=True)
    middle.metric("Questions", len(report), border=True)
    right.metric("Also asked in an earlier wave", survey.asked_before(report), border=True)
    st.caption(
        "Shares are of the people who answered each question. Where respondents could choose "
        "more than one answer, the shares can add up to more than 100%. Service areas are shown "
        f"on their own only when at least {survey.MIN_GROUP} people in them answered."
    )

    subtitle = f"Survey wave {wave} · {period.label} ({period.description})"
    for number, q in enumerate(report, start=1):
        st.subheader(markdown_literal(q.question), divider="gray")
        note = f"{q.respondents:,} respondents answered."
        if q.multi_choice:
            note += (
                " Respondents could choose more than one answer: shares add up to more than 100%."
            )
        st.caption(note)
        if q.withheld(selection.audience):
            ui.no_data(
                f"Fewer than {survey.MIN_GROUP} people answered this question, so its answers "
                "are not shown: they could identify who gave them."
            )
            continue
        overall, areas, waves = st.tabs(["All respondents", "By service area", "Wave against wave"])
        with overall:
            ui.chart(
                survey.answers_chart(q, subtitle),
                survey.shares_table(q),
                survey.describe_answers(q),
                key=f"survey-{number}-all",
            )
        with areas:
            if q.areas_shown:
                ui.chart(
                    survey.areas_chart(q, subtitle),
                    survey.areas_table(q),
                    survey.describe_areas(q),
                    key=f"survey-{number}-areas",
                )
            else:
                ui.no_data(
                    f"No service area, even pooled, had {survey.MIN_GROUP} or more respondents "
                    "to this question, so it is not broken down."
                )
            st.caption(markdown_literal(q.area_note))
        with waves:
            if q.waves.empty:
                ui.no_data(f"This question was not asked in a wave before {wave}.")
            else:
                if not q.change.empty:
                    change = q.change.iloc[0]
                    st.metric(
                        markdown_literal(
                            f"Answered {change['positive_answers']} in {change['wave']}"
                        ),
                        f"{change['share']:.0f}%",
                        delta=f"{change['change']:+.0f} pts since {change['previous_wave']}",
                        border=True,
                    )
                ui.chart(
                    survey.waves_chart(q, subtitle),
                    q.wave_table,
                    survey.describe_waves(q),
                    key=f"survey-{number}-waves",
                )
