"""One look for every chart: the CAMS Altair theme, fixed category colours and chart builders.

Colours follow the UK Government Analysis Function's guidance on charts: its accessible
categorical palette in order, a sequential palette for ordered categories and grey for context
and 'Not specified'. Each category keeps its colour on every chart. Builders take a tidy table and
return an `alt.Chart`; they know nothing of Streamlit, so pages and exports draw the same charts.
"""

from __future__ import annotations

import json
import textwrap

import altair as alt
import pandas as pd

from cams_data.kinds import AGE_GROUP_NAMES, EXPLOITATION_TYPE_NAMES

DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = (
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
)
CATEGORICAL = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE]
SEQUENTIAL = ["#12436D", "#2073BC", "#6BACE6"]
CONTEXT_GREY = "#BFBFBF"
FONT = "Arial, Helvetica, sans-serif"
NOT_SPECIFIED = ("Not specified", "Not specified or unknown")

EXPLOITATION_TYPES = list(EXPLOITATION_TYPE_NAMES)
AGE_GROUPS = list(AGE_GROUP_NAMES)
RAG = {"Green": "#00703C", "Amber": "#F46A25", "Red": "#D4351C", "No data": CONTEXT_GREY}
LABEL_LIMIT = 320  # pixels of a category label beside a bar, e.g. "Other service areas (pooled)"
# Statuses keep their colours on every chart: an action plan's, and a course's refresh.
ACTION_STATUS_COLOURS = {
    "Completed": DARK_BLUE,
    "In progress": TURQUOISE,
    "Not started": CONTEXT_GREY,
    "On hold": ORANGE,
    "No update yet": LIGHT_PURPLE,
}
REFRESH_COLOURS = {"overdue": RAG["Red"], "due_soon": RAG["Amber"], "current": RAG["Green"]}

# The same colour for the same category on every chart.
FIXED_COLOURS = {
    **dict(zip(EXPLOITATION_TYPES[:6], CATEGORICAL, strict=True)),
    "Adult": DARK_BLUE,
    "Child": TURQUOISE,
    "NRM referral": DARK_BLUE,
    "Duty to Notify": TURQUOISE,
    "Other": DARK_PINK,
    **{name: CONTEXT_GREY for name in NOT_SPECIFIED},
}


def colours_for(categories) -> tuple[list[str], list[str]]:
    """A (domain, range) pair: fixed colours first, then the palette in order, grey for the rest."""
    domain = list(dict.fromkeys(str(c) for c in categories))
    spare = [c for c in CATEGORICAL if c not in {FIXED_COLOURS.get(d) for d in domain}]
    colours = []
    for name in domain:
        if name in FIXED_COLOURS:
            colours.append(FIXED_COLOURS[name])
        else:
            colours.append(spare.pop(0) if spare else CONTEXT_GREY)
    return domain, colours


def ordered_colours(categories) -> tuple[list[str], list[str]]:
    """Ordered categories (a scale from most to least): the sequential palette, then grey."""
    domain = list(dict.fromkeys(str(c) for c in categories))
    colours = [
        CONTEXT_GREY if name in NOT_SPECIFIED else SEQUENTIAL[min(i, len(SEQUENTIAL) - 1)]
        for i, name in enumerate(domain)
    ]
    return domain, colours


@alt.theme.register("cams", enable=True)
def cams_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 600, "continuousHeight": 320},
            "range": {"category": CATEGORICAL, "ordinal": SEQUENTIAL, "ramp": SEQUENTIAL},
            "title": {
                "anchor": "start",
                "fontSize": 18,
                "fontWeight": "bold",
                "color": "#0B0C0C",
                "subtitleFontSize": 14,
                "subtitleColor": "#505A5F",
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelColor": "#0B0C0C",
                "titleColor": "#0B0C0C",
                "gridColor": "#E5E5E5",
                "domainColor": "#0B0C0C",
                "tickColor": "#0B0C0C",
            },
            "axisX": {"grid": False},
            "axisY": {"labelLimit": 360},
            # Vega-Lite cuts a legend label at 160px: "Neither agree nor disagree" would be
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "orient": "bottom",
                "labelLimit": 360,
            },
            "bar": {"color": DARK_BLUE},
            "line": {"color": DARK_BLUE, "strokeWidth": 3},
            "point": {"color": DARK_BLUE, "filled": True, "size": 60},
        }
    }


SOURCE = "Source: CAMS partnership"


def source_note(*kinds: str, period: str = "", also: str = "") -> str:
    """'Source: CAMS partnership; council learning system; 2025/26', from the kinds of data
    (see `kinds.KINDS`) a chart draws on, anything `also` names, and the period."""
    from cams_data.kinds import KINDS

    parts = [SOURCE, *(KINDS[kind].source for kind in kinds), also, period]
    return "; ".join(part for part in parts if part)


TITLE_LINE = 56  # characters of an 18px bold title that fit the 600px width of a chart


def chart_title(text: str, subtitle: str = "", source: str = "") -> alt.TitleParams:
    """A chart's title (over several lines when long, so none is cut off), with its subtitle
    (the period) and source note as lines under it."""
    lines = [line for line in (subtitle, source) if line]
    wrapped = textwrap.wrap(text, TITLE_LINE) or [text]
    return alt.TitleParams(wrapped if len(wrapped) > 1 else text, subtitle=lines or alt.Undefined)


AXIS_LABEL_LINE = 44  # characters of a 13px axis label per line, well within its 360px limit


def category_axis(categories) -> alt.Axis | alt.UndefinedType:
    """An axis that puts each long category label over several lines, so that none is cut off
    with '…' (Vega-Lite cuts a label at the axis' labelLimit)."""
    long = {
        str(c): textwrap.wrap(str(c), AXIS_LABEL_LINE)
        for c in dict.fromkeys(categories)
        if len(str(c)) > AXIS_LABEL_LINE
    }
    if not long:
        return alt.Undefined
    expression = "datum.label"
    for text, lines in long.items():
        expression = f"datum.value === {json.dumps(text)} ? {json.dumps(lines)} : {expression}"
    return alt.Axis(labelExpr=expression)


def title_text(title: alt.TitleParams) -> str:
    """A title's words on one line, however it is wrapped."""
    return " ".join(title.text) if isinstance(title.text, list) else str(title.text)


def bar(
    table: pd.DataFrame,
    *,
    category: str,
    value: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    value_title: str = "",
    colour: str | None = None,
    label: str | None = None,
    horizontal: bool = True,
    value_format: str = ",.0f",
) -> alt.Chart:
    """Bars, one per category (coloured by `colour` when given), each labelled with its value.

    `label` names a text column drawn at the bar's end, e.g. '<5' where a count is suppressed.
    """
    sort = list(table[category])
    cat_axis = alt.Y if horizontal else alt.X
    val_axis = alt.X if horizontal else alt.Y
    whole = value_format.endswith(".0f")
    category_channel = cat_axis(
        f"{category}:N", sort=sort, title=None, axis=category_axis(table[category])
    )
    encoding = {
        "y" if horizontal else "x": category_channel,
        "x" if horizontal else "y": val_axis(
            f"{value}:Q",
            title=value_title or value,
            axis=alt.Axis(format=value_format, tickMinStep=1 if whole else alt.Undefined),
        ),
        "tooltip": [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{label or value}:N")],
    }
    if colour:
        domain, colours = colours_for(table[colour])
        encoding["color"] = alt.Color(
            f"{colour}:N", scale=alt.Scale(domain=domain, range=colours), legend=None
        )
    base = alt.Chart(table, title=chart_title(title, subtitle, source))
    bars = base.mark_bar().encode(**encoding)
    text = _bar_labels(base, category_channel, value, label, horizontal, value_format)
    return (bars + text).properties(**_size(horizontal))


def _bar_labels(
    base: alt.Chart,
    category_channel,
    value: str,
    label: str | None,
    horizontal: bool,
    value_format: str,
    **offset,
) -> alt.Chart:
    """Each bar's value (or its `label`) at the bar's end; a suppressed count has no bar, so
    its label ('<5') sits at zero."""
    val_channel = alt.X if horizontal else alt.Y
    return (
        base.transform_calculate(label_at=f"isValid(datum['{value}']) ? datum['{value}'] : 0")
        .mark_text(
            align="left" if horizontal else "center",
            baseline="middle" if horizontal else "bottom",
            dx=4 if horizontal else 0,
            dy=0 if horizontal else -4,
            fontSize=12,
        )
        .encode(
            **{"y" if horizontal else "x": category_channel},
            **{"x" if horizontal else "y": val_channel("label_at:Q")},
            **offset,
            text=alt.Text(f"{label}:N") if label else alt.Text(f"{value}:Q", format=value_format),
        )
    )


def grouped_bar(
    table: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    value_title: str = "",
    label: str | None = None,
    horizontal: bool = False,
    ordered: bool = False,
    category_order: list[str] | None = None,
    value_format: str = ",.0f",
) -> alt.Chart:
    """Bars side by side, one per `group` within each category, with a legend.

    `ordered` groups (e.g. survey waves, oldest first) take the sequential palette from light to
    dark; others their fixed colours. Each bar is labelled with its value or its `label` column;
    a suppressed value (NaN) draws no bar, only its label.
    """
    categories = category_order or list(dict.fromkeys(table[category]))
    groups = list(dict.fromkeys(table[group]))
    if ordered:
        colours = SEQUENTIAL[::-1][-len(groups) :] if len(groups) > 2 else SEQUENTIAL[::-2]
        colours = [CONTEXT_GREY] * (len(groups) - len(colours)) + colours[: len(groups)]
        domain = groups
    else:
        domain, colours = colours_for(groups)
    cat_channel, val_channel = (alt.Y, alt.X) if horizontal else (alt.X, alt.Y)
    cat = cat_channel(
        f"{category}:N",
        sort=categories,
        title=None,
        **({} if horizontal else {"axis": alt.Axis(labelAngle=0)}),
    )
    whole = value_format.endswith(".0f")
    val = val_channel(
        f"{value}:Q",
        title=value_title or value,
        axis=alt.Axis(format=value_format, tickMinStep=1 if whole else alt.Undefined),
    )
    offset = (alt.YOffset if horizontal else alt.XOffset)(f"{group}:N", sort=groups)
    offset_key = "yOffset" if horizontal else "xOffset"
    position = {"y" if horizontal else "x": cat, "x" if horizontal else "y": val}
    base = alt.Chart(table, title=chart_title(title, subtitle, source))
    bars = base.mark_bar().encode(
        **position,
        **{offset_key: offset},
        color=alt.Color(
            f"{group}:N", scale=alt.Scale(domain=domain, range=colours), sort=groups, title=None
        ),
        tooltip=[
            f"{category}:N",
            f"{group}:N",
            alt.Tooltip(f"{label}:N", title=value_title or value)
            if label
            else alt.Tooltip(f"{value}:Q", format=value_format),
        ],
    )
    text = _bar_labels(base, cat, value, label, horizontal, value_format, **{offset_key: offset})
    size = {"height": alt.Step(16 * len(groups) + 8)} if horizontal else {"height": 260}
    return (bars + text).properties(**size, autosize=alt.AutoSizeParams(type="fit-x"))


def _size(horizontal: bool) -> dict:
    """Room for every bar whatever the title takes: the height covers the plot only."""
    if horizontal:
        return {"height": alt.Step(34), "autosize": alt.AutoSizeParams(type="fit-x")}
    return {"height": 320, "autosize": alt.AutoSizeParams(type="fit-x")}


def stacked_bar(
    table: pd.DataFrame,
    *,
    category: str,
    value: str,
    stack: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    value_title: str = "",
    order: list[str] | None = None,
    ordered: bool = False,
    horizontal: bool = False,
    colours: dict[str, str] | None = None,
    legend_columns: int | None = None,
    tooltip: tuple[str, ...] = (),
) -> alt.Chart:
    """Bars split by `stack` (e.g. quarters by exploitation type); the legend names each colour.

    `colours` fixes a colour per stack value (statuses); else the fixed category colours, or the
    sequential palette when `ordered`. Whole counts: ticks at whole numbers only."""
    stack_order = order or list(dict.fromkeys(table[stack]))
    if colours:
        domain, palette = stack_order, [colours[name] for name in stack_order]
    else:
        domain, palette = (ordered_colours if ordered else colours_for)(stack_order)
    cat = (alt.Y if horizontal else alt.X)(
        f"{category}:N",
        sort=list(dict.fromkeys(table[category])),
        title=None,
        axis=category_axis(table[category]),
    )
    val = (alt.X if horizontal else alt.Y)(
        f"{value}:Q",
        title=value_title or value,
        stack=True,
        axis=alt.Axis(format=",.0f", tickMinStep=1),
    )
    legend = (
        alt.Legend(orient="bottom", columns=legend_columns, labelLimit=360)
        if legend_columns
        else alt.Undefined
    )
    chart = (
        alt.Chart(table, title=chart_title(title, subtitle, source))
        .mark_bar()
        .encode(
            **({"y": cat, "x": val} if horizontal else {"x": cat, "y": val}),
            color=alt.Color(
                f"{stack}:N",
                scale=alt.Scale(domain=domain, range=palette),
                sort=domain,
                title=None,
                legend=legend,
            ),
            order=alt.Order("stack_rank:Q"),
            tooltip=[
                f"{category}:N",
                f"{stack}:N",
                alt.Tooltip(f"{value}:Q", format=",.0f"),
                *tooltip,
            ],
        )
        .transform_calculate(
            stack_rank=f"indexof({domain!r}, datum['{stack}'])",
        )
    )
    return chart.properties(**_size(horizontal))


def line(
    table: pd.DataFrame,
    *,
    x: str,
    value: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    value_title: str = "",
    series: str | None = None,
    value_format: str = ",.0f",
    label: str | None = None,
    series_domain: list[str] | None = None,
    point_labels: bool = True,
    legend_columns: int | None = None,
) -> alt.Chart:
    """A line over time (x holds period labels in order), with a point and label at each value.

    `label` names a text column to write at each point instead of the value: a hidden count has
    no value, so the line breaks there and its label (`[c]`, `<5`) sits on the axis, a gap that
    cannot be taken for "no data". `series_domain`: every series a set of charts colours alike
    (each course keeps its colour); `point_labels` off for many lines, whose labels collide."""
    order = list(dict.fromkeys(table[x]))
    encoding = {
        "x": alt.X(
            f"{x}:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelAngle=-40 if len(order) > 5 else 0),
        ),
        "y": alt.Y(
            f"{value}:Q",
            title=value_title or value,
            axis=alt.Axis(format=value_format),
            scale=alt.Scale(zero=True),
        ),
        "tooltip": [f"{x}:N", alt.Tooltip(f"{value}:Q", format=value_format)],
    }
    if series:
        domain, colours = colours_for(series_domain or table[series])
        encoding["color"] = alt.Color(
            f"{series}:N",
            scale=alt.Scale(domain=domain, range=colours),
            title=None,
            legend=alt.Legend(orient="bottom", columns=legend_columns, labelLimit=360)
            if legend_columns
            else alt.Undefined,
        )
        encoding["tooltip"].insert(0, f"{series}:N")
    base = alt.Chart(table, title=chart_title(title, subtitle, source)).encode(**encoding)
    if not point_labels:
        return base.mark_line(point=True)
    if label is None:
        return base.mark_line(point=True) + base.mark_text(dy=-12, fontSize=12).encode(
            text=alt.Text(f"{value}:Q", format=value_format)
        )
    labels = (
        base.transform_calculate(label_at=f"isValid(datum['{value}']) ? datum['{value}'] : 0")
        .mark_text(dy=-12, fontSize=12)
        .encode(y=alt.Y("label_at:Q", title=value_title or value), text=alt.Text(f"{label}:N"))
    )
    return base.mark_line(point=True) + labels


def diverging_bar(
    table: pd.DataFrame,
    *,
    category: str,
    answer: str,
    share: str,
    negative: list[str],
    neutral: list[str],
    positive: list[str],
    title: str,
    subtitle: str = "",
    source: str = "",
    category_order: list[str] | None = None,
) -> alt.Chart:
    """Likert answers around zero: negative answers to the left, positive to the right.

    `share` is a percentage per (category, answer); answers are listed most negative first.
    """
    scale_order = negative + neutral + positive
    rows = table[table[answer].isin(scale_order)].copy()
    rank = {name: i for i, name in enumerate(scale_order)}
    rows["rank"] = rows[answer].map(rank)
    rows = rows.sort_values([category, "rank"])
    # Each bar starts where the one before it ends; negatives (and half the neutral) go left.
    left = (
        rows[answer].isin(negative).astype(float) * rows[share]
        + rows[answer].isin(neutral).astype(float) * rows[share] / 2
    )
    offset = left.groupby(rows[category]).transform("sum")
    rows["x_end"] = rows.groupby(category)[share].cumsum() - offset
    rows["x_start"] = rows["x_end"] - rows[share]
    colours = (
        [DARK_PINK, ORANGE][: len(negative)][::-1]
        if len(negative) <= 2
        else [DARK_PINK] * len(negative)
    )
    colours = colours + [CONTEXT_GREY] * len(neutral) + SEQUENTIAL[: len(positive)][::-1]
    return (
        alt.Chart(rows, title=chart_title(title, subtitle, source))
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N",
                sort=category_order or list(dict.fromkeys(rows[category])),
                title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT),
            ),
            x=alt.X("x_start:Q", title="Share of respondents (%)", axis=alt.Axis(format=".0f")),
            x2="x_end:Q",
            color=alt.Color(
                f"{answer}:N",
                scale=alt.Scale(domain=scale_order, range=colours),
                sort=scale_order,
                title=None,
            ),
            tooltip=[f"{category}:N", f"{answer}:N", alt.Tooltip(f"{share}:Q", format=".0f")],
        )
        .properties(height=alt.Step(36), autosize=alt.AutoSizeParams(type="fit-x"))
    )


def heatmap(
    table: pd.DataFrame,
    *,
    row: str,
    column: str,
    value: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    column_order: list[str] | None = None,
) -> alt.Chart:
    """A grid of percentages: one cell per row and column, darker for larger shares, labelled."""
    rows = list(dict.fromkeys(table[row]))
    columns = column_order or list(dict.fromkeys(table[column]))
    base = alt.Chart(table, title=chart_title(title, subtitle, source)).encode(
        y=alt.Y(f"{row}:N", sort=rows, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X(
            f"{column}:N",
            sort=columns,
            title=None,
            axis=alt.Axis(labelAngle=0, orient="top", labelLimit=140),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            f"{value}:Q",
            scale=alt.Scale(
                domain=[0, 50, 100],
                range=["#FFFFFF", SEQUENTIAL[2], DARK_BLUE],
                interpolate="rgb",
            ),
            title="Share of respondents (%)",
        ),
        tooltip=[f"{row}:N", f"{column}:N", alt.Tooltip(f"{value}:Q", format=".0f")],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text(f"{value}:Q", format=".0f"),
        color=alt.condition(f"datum['{value}'] > 65", alt.value("white"), alt.value("#0B0C0C")),
    )
    return (cells + text).properties(height=34 * len(rows) + 170)
