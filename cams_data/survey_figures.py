"""The staff survey: each question's answers, by service area and wave against wave.

Shares are of the respondents to a question (those who answered it; blank answers are not
stored). A multi-choice question stores one row per chosen option, so its shares are of the
respondents choosing each option and can add up to more than 100%.

A question whose answers all fall in one of the known ordered scales below (matched whatever
their case and spacing) is a Likert question, drawn as a diverging bar: negative answers to the
left of zero, positive to the right. Other questions are drawn as plain bars.

Survey breakdowns by small teams can identify respondents: a service area is shown on its own
only when at least `MIN_GROUP` people in it answered the question; smaller areas are pooled, and
a pool that is itself smaller than `MIN_GROUP` is not shown at all.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

import altair as alt
import duckdb
import numpy as np
import pandas as pd

from cams_data import charts, store
from cams_data.disclosure import Audience
from cams_data.periods import ReportingPeriod

MIN_GROUP = 10
SOURCE = charts.source_note("survey")
POOLED = "Other service areas (pooled)"
ALL_RESPONDENTS = "All respondents"
POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale: each list from the strongest answer to the mildest."""

    name: str
    positive: tuple[str, ...]
    neutral: tuple[str, ...]
    negative: tuple[str, ...]

    @property
    def answers(self) -> tuple[str, ...]:
        """Most positive first."""
        return self.positive + self.neutral + self.negative[::-1]

    def side(self, answer: str) -> str:
        key = _key(answer)
        for side, names in ((POSITIVE, self.positive), (NEUTRAL, self.neutral)):
            if key in {_key(n) for n in names}:
                return side
        return NEGATIVE

    def spelling(self, answer: str) -> str:
        """The scale's own spelling of an answer matched whatever its case and spacing."""
        return {_key(n): n for n in self.answers}.get(_key(answer), answer)


# Known ordered scales, tried in this order; a question is Likert when every answer to it (in
# any wave) is one of a single scale's answers.
LIKERT_SCALES: tuple[Scale, ...] = (
    Scale(
        "confidence",
        positive=("Very confident", "Fairly confident"),
        neutral=(),
        negative=("Not at all confident", "Not very confident"),
    ),
    Scale(
        "agreement",
        positive=("Strongly agree", "Agree"),
        neutral=("Neither agree nor disagree",),
        negative=("Strongly disagree", "Disagree"),
    ),
    Scale("yes/no", positive=("Yes",), neutral=("Not sure",), negative=("No",)),
    Scale(
        "awareness",
        positive=("Very aware", "Fairly aware"),
        neutral=(),
        negative=("Not at all aware", "Not very aware"),
    ),
    Scale(
        "likelihood",
        positive=("Very likely", "Fairly likely"),
        neutral=("Neither likely nor unlikely",),
        negative=("Very unlikely", "Fairly unlikely"),
    ),
)
# A question whose text says so is multi-choice even if nobody chose two options.
MULTI_CHOICE_WORDS = ("select all", "tick all", "all that apply", "choose all")


def one_decimal(value):
    """Rounded to one decimal place, halves away from zero (31.25 -> 31.3), as people do."""
    return np.sign(value) * np.floor(np.abs(value) * 10 + 0.5) / 10


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def likert_scale(answers) -> Scale | None:
    """The first known scale holding every one of `answers`; None when none does."""
    keys = {_key(a) for a in answers}
    if not keys:
        return None
    for scale in LIKERT_SCALES:
        if keys <= {_key(a) for a in scale.answers}:
            return scale
    return None


# --- waves -----------------------------------------------------------------------------------

_HELD_FROM = store.wave_date_sql("max(u.uploaded_at)")


def waves(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """wave, held_from (its month's first day, else its upload date), respondents; newest first."""
    return con.execute(
        f"""SELECT s.wave, {_HELD_FROM} AS held_from,
                   count(DISTINCT s.respondent_key) AS respondents
            FROM survey s JOIN uploads u USING (upload_id)
            GROUP BY s.wave
            ORDER BY held_from DESC, max(u.uploaded_at) DESC, s.wave DESC"""
    ).df()


def wave_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every wave, newest first."""
    return waves(con)["wave"].tolist()


def wave_respondents(con: duckdb.DuckDBPyConnection, wave: str) -> int:
    """People who answered at least one question in the wave."""
    return con.execute(
        "SELECT count(DISTINCT respondent_key) FROM survey WHERE wave = $wave", {"wave": wave}
    ).fetchone()[0]


def default_wave(con: duckdb.DuckDBPyConnection, period: ReportingPeriod | str) -> str | None:
    """The latest wave held by the period's end; None when none was (or there are no waves)."""
    end = _end(period)
    held = waves(con)
    held = held[pd.to_datetime(held["held_from"]).dt.date < end]
    return None if held.empty else str(held["wave"].iloc[0])


def _end(period: ReportingPeriod | str):
    if isinstance(period, str):
        from cams_data import periods

        period = periods.parse(period)
    return period.end


def wave_label(wave: str) -> str:
    """'2025-10' reads 'October 2025'; any other wave name as it is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(wave))
    if match and 1 <= int(match[2]) <= 12:
        return f"{calendar.month_name[int(match[2])]} {match[1]}"
    return str(wave)


def wave_option(wave: str) -> str:
    """How the wave selector names a wave: 'October 2025 (2025-10)'."""
    label = wave_label(wave)
    return wave if label == wave else f"{label} ({wave})"


# --- answers ---------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per wave, respondent, question and distinct answer (case and spacing folded)."""
    return con.execute(
        """SELECT wave, respondent_key, any_value(service_area) AS service_area, question,
                  lower(regexp_replace(trim(answer), '\\s+', ' ', 'g')) AS answer_key,
                  min(trim(answer)) AS answer
           FROM survey
           WHERE answer IS NOT NULL AND trim(answer) <> ''
           GROUP BY wave, respondent_key, question, answer_key"""
    ).df()


@dataclass(frozen=True)
class _Question:
    multi_choice: bool
    scale: Scale | None


def _questions(rows: pd.DataFrame) -> dict[str, _Question]:
    """Each question's kind, judged over every wave so that waves compare like with like."""
    out = {}
    for question, answers in rows.groupby("question"):
        picks = answers.groupby(["wave", "respondent_key"]).size()
        multi = bool((picks > 1).any()) or any(w in question.lower() for w in MULTI_CHOICE_WORDS)
        scale = None if multi else likert_scale(answers["answer_key"].unique())
        out[question] = _Question(multi, scale)
    return out


def _spell(rows: pd.DataFrame, kinds: dict[str, _Question]) -> pd.DataFrame:
    """One spelling per answer: the scale's for Likert answers, else the first seen."""
    rows = rows.copy()
    first = rows.groupby(["question", "answer_key"])["answer"].transform("min")
    rows["answer"] = [
        kinds[q].scale.spelling(a) if kinds[q].scale else a
        for q, a in zip(rows["question"], first, strict=True)
    ]
    return rows


def _counts(rows: pd.DataFrame, by: list[str], kinds: dict[str, _Question]) -> pd.DataFrame:
    """answers and share of respondents per `by` + answer, in each question's answer order."""
    respondents = rows.groupby([*by, "question"])["respondent_key"].nunique().rename("respondents")
    counts = (
        rows.groupby([*by, "question", "answer"])["respondent_key"]
        .nunique()
        .rename("answers")
        .reset_index()
        .merge(respondents.reset_index(), on=[*by, "question"])
    )
    counts["share"] = one_decimal(100 * counts["answers"] / counts["respondents"])
    counts["scale"] = [kinds[q].scale.name if kinds[q].scale else "" for q in counts["question"]]
    counts["side"] = [
        kinds[q].scale.side(a) if kinds[q].scale else ""
        for q, a in zip(counts["question"], counts["answer"], strict=True)
    ]
    counts["multi_choice"] = [kinds[q].multi_choice for q in counts["question"]]
    return counts


def _answer_order(counts: pd.DataFrame, kinds: dict[str, _Question]) -> dict[tuple, int]:
    """Likert answers in scale order (most positive first); others by how often chosen overall."""
    order = {}
    totals = counts.groupby(["question", "answer"])["answers"].sum().reset_index()
    for question, group in totals.groupby("question"):
        scale = kinds[question].scale
        if scale:
            ranked = [a for a in scale.answers if a in set(group["answer"])]
        else:
            ranked = group.sort_values(["answers", "answer"], ascending=[False, True])["answer"]
        order.update({(question, a): i for i, a in enumerate(ranked)})
    return order


def _ordered(counts: pd.DataFrame, kinds: dict[str, _Question], by: list[str]) -> pd.DataFrame:
    order = _answer_order(counts, kinds)
    counts = counts.copy()
    counts["order"] = [
        order[(q, a)] for q, a in zip(counts["question"], counts["answer"], strict=True)
    ]
    return counts.sort_values(["question", *by, "order"]).reset_index(drop=True)


_SHARE_COLUMNS = ["answers", "respondents", "share", "scale", "side", "multi_choice", "order"]


def answer_shares(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """question, answer, answers, respondents (to the question), share (% of them), scale
    (the Likert scale's name or ''), side (positive/neutral/negative or ''), multi_choice, order."""
    rows = _rows(con)
    if rows.empty:
        return pd.DataFrame(columns=["question", "answer", *_SHARE_COLUMNS])
    kinds = _questions(rows)
    rows = _spell(rows, kinds)
    counts = _counts(rows[rows["wave"] == wave], [], kinds)
    return _ordered(counts, kinds, [])[["question", "answer", *_SHARE_COLUMNS]]


# --- by service area -------------------------------------------------------------------------


def _grouping(rows: pd.DataFrame) -> pd.DataFrame:
    """question, service_area, group: the area itself, POOLED, or None (not shown).

    Areas with fewer than `MIN_GROUP` respondents are pooled. A pool that is itself smaller is
    not shown, but then the whole question's answers less the shown areas' would give it away,
    so the smallest shown area joins the pool too (which then is shown).
    """
    people = rows.drop_duplicates(["question", "respondent_key"])
    sizes = people.groupby(["question", "service_area"]).size().rename("n").reset_index()
    groups = []
    for _, part in sizes.groupby("question", sort=False):
        pooled = set(part.loc[part["n"] < MIN_GROUP, "service_area"])
        own = part[~part["service_area"].isin(pooled)].sort_values(["n", "service_area"])
        pool = part.loc[part["service_area"].isin(pooled), "n"].sum()
        if 0 < pool < MIN_GROUP and not own.empty:
            pooled.add(own["service_area"].iloc[0])
            pool += own["n"].iloc[0]
        for area in part["service_area"]:
            if area not in pooled:
                groups.append(area)
            else:
                groups.append(POOLED if pool >= MIN_GROUP else None)
    sizes["group"] = groups
    return sizes.drop(columns="n")


def area_grouping(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """question, service_area, shown_as ('Own group', 'Pooled', 'Not shown'): no counts, so
    nothing here reveals a group smaller than `MIN_GROUP`."""
    rows = _rows(con)
    if rows.empty:
        return pd.DataFrame(columns=["question", "service_area", "shown_as"])
    grouping = _grouping(rows[rows["wave"] == wave])
    grouping["shown_as"] = [
        "Not shown" if pd.isna(g) else "Pooled" if g == POOLED else "Own group"
        for g in grouping["group"]
    ]
    return (
        grouping[["question", "service_area", "shown_as"]]
        .sort_values(["question", "service_area"])
        .reset_index(drop=True)
    )


def by_service_area(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """question, group (a service area with at least MIN_GROUP respondents to the question, or
    POOLED), answer and the columns of `answer_shares`; areas first by name, the pool last."""
    rows = _rows(con)
    if rows.empty:
        return pd.DataFrame(columns=["question", "group", "answer", *_SHARE_COLUMNS])
    kinds = _questions(rows)
    rows = _spell(rows, kinds)
    rows = rows[rows["wave"] == wave]
    rows = rows.merge(_grouping(rows), on=["question", "service_area"])
    rows = rows[rows["group"].notna()]
    counts = _counts(rows, ["group"], kinds)
    counts["pooled"] = counts["group"] == POOLED
    counts = _ordered(counts, kinds, ["pooled", "group"]).drop(columns="pooled")
    return counts[["question", "group", "answer", *_SHARE_COLUMNS]]


# --- wave against wave -----------------------------------------------------------------------


def _earlier_waves(con: duckdb.DuckDBPyConnection, wave: str) -> list[str]:
    """The waves up to and including `wave`, oldest first."""
    names = wave_names(con)[::-1]
    return names[: names.index(wave) + 1] if wave in names else []


def wave_comparison(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """For each question of `wave` also asked in an earlier wave: wave, answer and the columns
    of `answer_shares`, one row per wave (oldest first) and answer."""
    columns = ["question", "wave", "answer", *_SHARE_COLUMNS]
    rows = _rows(con)
    chosen = _earlier_waves(con, wave)
    if rows.empty or len(chosen) < 2:
        return pd.DataFrame(columns=columns)
    kinds = _questions(rows)
    rows = _spell(rows, kinds)
    rows = rows[rows["wave"].isin(chosen)]
    asked = rows.groupby("question")["wave"].agg(set)
    repeated = [q for q, w in asked.items() if wave in w and len(w) > 1]
    counts = _counts(rows[rows["question"].isin(repeated)], ["wave"], kinds)
    counts["wave_order"] = counts["wave"].map({w: i for i, w in enumerate(chosen)})
    counts = _ordered(counts, kinds, ["wave_order"])
    return counts[columns]


def positive_changes(con: duckdb.DuckDBPyConnection, wave: str) -> pd.DataFrame:
    """For each Likert question of `wave` asked before: the share giving a positive answer in
    the latest earlier wave and in `wave`, and the change in percentage points."""
    columns = [
        "question",
        "positive_answers",
        "previous_wave",
        "previous_respondents",
        "previous_share",
        "wave",
        "respondents",
        "share",
        "change",
    ]
    compared = wave_comparison(con, wave)
    scales = {s.name: s for s in LIKERT_SCALES}
    out = []
    for question, group in compared[compared["scale"] != ""].groupby("question", sort=True):
        scale = scales[group["scale"].iloc[0]]
        group = group.assign(positive=group["answers"].where(group["side"] == POSITIVE, 0))
        per_wave = group.groupby("wave", sort=False).agg(
            positive=("positive", "sum"), respondents=("respondents", "first")
        )
        previous = per_wave.index[-2]  # the waves are oldest first and end with `wave`
        now, before = per_wave.loc[wave], per_wave.loc[previous]
        share_now = 100 * now["positive"] / now["respondents"]
        share_before = 100 * before["positive"] / before["respondents"]
        out.append(
            [
                question,
                " or ".join(scale.positive),
                previous,
                int(before["respondents"]),
                one_decimal(share_before),
                wave,
                int(now["respondents"]),
                one_decimal(share_now),
                one_decimal(share_now - share_before),
            ]
        )
    return pd.DataFrame(out, columns=columns)


# --- one question, ready to draw ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFigures:
    """Everything the page shows for one question in one wave."""

    question: str
    respondents: int
    multi_choice: bool
    scale: Scale | None
    shares: pd.DataFrame  # answer, answers, share, side
    by_area: pd.DataFrame  # group, answer, answers, respondents, share, side
    areas_shown: int
    area_note: str
    waves: pd.DataFrame = field(default_factory=pd.DataFrame)  # wave, answer, share, ...
    wave_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    change: pd.DataFrame = field(default_factory=pd.DataFrame)  # a positive_changes row

    @property
    def likert(self) -> bool:
        return self.scale is not None

    def withheld(self, audience: Audience) -> bool:
        """Answered by fewer than `MIN_GROUP`: not shown to anyone but an officer on their own
        screen."""
        return self.respondents < MIN_GROUP and audience.hides


def survey_report(con: duckdb.DuckDBPyConnection, wave: str) -> list[QuestionFigures]:
    """Each question of the wave, in alphabetical order, with its breakdowns."""
    shares = answer_shares(con, wave)
    areas = by_service_area(con, wave)
    grouping = area_grouping(con, wave)
    compared = wave_comparison(con, wave)
    changes = positive_changes(con, wave)
    kinds = _questions(_rows(con)) if not shares.empty else {}
    out = []
    for question, own in shares.groupby("question", sort=True):
        area_rows = areas[areas["question"] == question].drop(columns="question")
        groups = grouping[grouping["question"] == question]
        wave_rows = compared[compared["question"] == question].drop(columns="question")
        out.append(
            QuestionFigures(
                question=question,
                respondents=int(own["respondents"].iloc[0]),
                multi_choice=kinds[question].multi_choice,
                scale=kinds[question].scale,
                shares=own.drop(columns="question").reset_index(drop=True),
                by_area=area_rows.reset_index(drop=True),
                areas_shown=int(area_rows["group"].nunique()),
                area_note=_area_note(groups),
                waves=wave_rows.reset_index(drop=True),
                wave_table=_wave_table(wave_rows, wave),
                change=changes[changes["question"] == question].reset_index(drop=True),
            )
        )
    return out


def asked_before(report: list[QuestionFigures]) -> int:
    """How many of the report's questions were also asked in an earlier wave."""
    return sum(1 for q in report if not q.waves.empty)


def _area_note(groups: pd.DataFrame) -> str:
    own = (groups["shown_as"] == "Own group").sum()
    pooled = (groups["shown_as"] == "Pooled").sum()
    hidden = (groups["shown_as"] == "Not shown").sum()
    parts = [
        f"Service areas are shown on their own when at least {MIN_GROUP} people in them "
        f"answered: {_areas(own)} shown."
    ]
    if pooled:
        parts.append(
            f"{_areas(pooled)} pooled as '{POOLED}', so that no group of fewer than "
            f"{MIN_GROUP} is shown or can be worked out from the others."
        )
    if hidden:
        parts.append(
            f"{_areas(hidden)} with fewer than {MIN_GROUP} respondents even together "
            f"{'is' if hidden == 1 else 'are'} not shown, so that no one can be identified."
        )
    return " ".join(parts)


def _areas(n: int) -> str:
    return f"{n} service area{'' if n == 1 else 's'}"


def _wave_table(rows: pd.DataFrame, wave: str) -> pd.DataFrame:
    """answer, then the share in each wave (oldest first), then the change since the last one."""
    if rows.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(rows["wave"]))
    exact = rows.assign(exact=100 * rows["answers"] / rows["respondents"])
    wide = exact.pivot_table(index=["order", "answer"], columns="wave", values="exact")
    wide = wide[order].fillna(0.0).reset_index().drop(columns="order")
    wide.columns.name = None
    if len(order) >= 2 and order[-1] == wave:
        wide["Change (pts)"] = wide[order[-1]] - wide[order[-2]]
    numbers = wide.columns.drop("answer")
    wide[numbers] = one_decimal(wide[numbers])
    return wide.rename(columns={"answer": "Answer", **{w: f"{w} (%)" for w in order}})


# --- text alternatives -----------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _positive_share(table: pd.DataFrame) -> float:
    return float(table.loc[table["side"] == POSITIVE, "share"].sum())


def describe_answers(q: QuestionFigures) -> str:
    """One sentence on the answers of all respondents."""
    if q.likert:
        positive = q.shares[q.shares["side"] == POSITIVE]
        negative = q.shares[q.shares["side"] == NEGATIVE]
        names = " or ".join(positive["answer"]) or "a positive answer"
        return (
            f"{_pct(_positive_share(q.shares))} of {q.respondents:,} respondents answered "
            f"{names}; {_pct(float(negative['share'].sum()))} gave a negative answer."
        )
    top = q.shares.sort_values(["answers", "order"], ascending=[False, True]).iloc[0]
    text = (
        f"'{top['answer']}' was the most common answer: {int(top['answers']):,} of "
        f"{q.respondents:,} respondents ({_pct(top['share'])})."
    )
    if q.multi_choice:
        text += " Respondents could choose more than one answer."
    return text


def describe_areas(q: QuestionFigures) -> str:
    if q.by_area.empty:
        return f"No service area had {MIN_GROUP} or more respondents to this question."
    groups = q.by_area["group"].nunique()
    if q.likert:
        per_group = q.by_area[q.by_area["side"] == POSITIVE].groupby("group")["share"].sum()
        per_group = per_group.reindex(q.by_area["group"].unique(), fill_value=0.0)
        what = "Positive answers"
    else:
        top = q.shares.sort_values("order").iloc[0]["answer"]
        chosen = q.by_area[q.by_area["answer"] == top].set_index("group")["share"]
        per_group = chosen.reindex(q.by_area["group"].unique(), fill_value=0.0)
        what = f"'{top}'"
    low, high = per_group.idxmin(), per_group.idxmax()
    return (
        f"{what} ranged from {_pct(per_group[low])} ({low}) to {_pct(per_group[high])} "
        f"({high}) across {groups} group{'' if groups == 1 else 's'} of at least {MIN_GROUP} "
        "respondents."
    )


def describe_waves(q: QuestionFigures) -> str:
    if q.waves.empty:
        return "This question was not asked in an earlier wave."
    if q.likert and not q.change.empty:
        row = q.change.iloc[0]
        return (
            f"{row['positive_answers']}: {_pct(row['previous_share'])} in "
            f"{row['previous_wave']} and {_pct(row['share'])} in {row['wave']} "
            f"({_points(row['change'])})."
        )
    top = q.shares.sort_values("order").iloc[0]["answer"]
    per_wave = q.waves[q.waves["answer"] == top].set_index("wave")["share"]
    listed = ", ".join(f"{_pct(v)} in {w}" for w, v in per_wave.items())
    return f"'{top}': {listed}."


def _points(change: float) -> str:
    sign = "+" if change > 0 else "-" if change < 0 else "±"
    return f"{sign}{abs(change):.0f} percentage points"


# --- tables as shown -------------------------------------------------------------------------


def shares_table(q: QuestionFigures) -> pd.DataFrame:
    return q.shares.rename(
        columns={"answer": "Answer", "answers": "Respondents choosing it", "share": "Share (%)"}
    )[["Answer", "Respondents choosing it", "Share (%)"]]


def areas_table(q: QuestionFigures) -> pd.DataFrame:
    """One row per group, one column of shares (%) per answer, and the group's respondents."""
    if q.by_area.empty:
        return pd.DataFrame()
    wide = q.by_area.pivot_table(index="group", columns="answer", values="share", sort=False)
    answers = list(q.shares.sort_values("order")["answer"])
    wide = wide.reindex(columns=[a for a in answers if a in wide.columns]).fillna(0.0)
    wide.columns = [f"{a} (%)" for a in wide.columns]
    sizes = q.by_area.groupby("group", sort=False)["respondents"].first()
    wide.insert(0, "Respondents", sizes)
    return wide.reset_index().rename(columns={"group": "Service area"})


# --- charts ----------------------------------------------------------------------------------


def _label(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["label"] = [
        f"{s:.0f}% ({a:,})" for s, a in zip(table["share"], table["answers"], strict=True)
    ]
    return table


def answers_chart(q: QuestionFigures, subtitle: str) -> alt.Chart:
    """All respondents' answers: a diverging bar for a Likert question, else bars."""
    if q.likert:
        table = q.shares.assign(group=ALL_RESPONDENTS)
        return _diverging(table, "group", q, subtitle)
    return charts.bar(
        _label(q.shares),
        category="answer",
        value="share",
        label="label",
        title=_short(q.question),
        subtitle=subtitle,
        source=SOURCE,
        value_title="Share of respondents (%)",
        value_format=".0f",
        value_ticks=charts.percent_ticks(q.shares["share"].max()),
    )


def areas_chart(q: QuestionFigures, subtitle: str) -> alt.Chart:
    """Each shown service area's answers."""
    if q.likert:
        return _diverging(q.by_area, "group", q, subtitle, " by service area")
    grid = pd.MultiIndex.from_product(
        [q.by_area["group"].unique(), q.shares.sort_values("order")["answer"]],
        names=["group", "answer"],
    )
    table = q.by_area.set_index(["group", "answer"])[["share"]].reindex(grid, fill_value=0.0)
    return charts.heatmap(
        table.reset_index(),
        row="group",
        column="answer",
        value="share",
        column_order=list(q.shares.sort_values("order")["answer"]),
        title=f"{_short(q.question)} by service area",
        subtitle=subtitle,
        source=SOURCE,
    )


def waves_chart(q: QuestionFigures, subtitle: str) -> alt.Chart:
    """The answers in each wave, oldest first."""
    if q.likert:
        return _diverging(q.waves, "wave", q, subtitle, " by survey wave")
    return charts.grouped_bar(
        q.waves,
        category="answer",
        group="wave",
        value="share",
        category_order=list(q.shares.sort_values("order")["answer"]),
        title=f"{_short(q.question)} by survey wave",
        subtitle=subtitle,
        source=SOURCE,
        value_title="Share of respondents (%)",
        horizontal=True,
        ordered=True,
        value_format=".0f",
        value_ticks=charts.percent_ticks(q.waves["share"].max()),
    )


def _diverging(
    table: pd.DataFrame, category: str, q: QuestionFigures, subtitle: str, suffix: str = ""
) -> alt.Chart:
    scale = q.scale
    return charts.diverging_bar(
        table,
        category=category,
        answer="answer",
        share="share",
        negative=list(scale.negative),
        neutral=list(scale.neutral),
        positive=list(scale.positive[::-1]),
        title=f"{_short(q.question)}{suffix}",
        subtitle=subtitle,
        source=SOURCE,
        # as given: the pool last, waves oldest first
        category_order=list(dict.fromkeys(table[category])),
    )


def _short(question: str, limit: int = 80) -> str:
    return question if len(question) <= limit else question[: limit - 1].rstrip() + "…"
