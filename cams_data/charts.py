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
# Chart text: near-black and dark grey, both well over WCAG's 4.5:1 on white (19.0 and 6.9).
TEXT = "#0B0C0C"
SECONDARY_TEXT = "#505A5F"
GRID_GREY = "#D9D9D9"
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


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a '#RRGGBB' colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two '#RRGGBB' colours, from 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(fill: str) -> str:
    """The text colour (white or near-black) that reads best on a bar of colour `fill`."""
    return "white" if contrast_ratio("#FFFFFF", fill) >= contrast_ratio(TEXT, fill) else TEXT


PERCENT_TICKS = [0, 25, 50, 75, 100]


def percent_ticks(largest: float, most: int = 6) -> list[int]:
    """Ticks for a percentage axis from 0: round steps (5, 10, 20 or 25) to just past `largest`,
    no more than `most` of them, and never past 100 unless the data are."""
    largest = max(float(largest) if largest == largest else 0.0, 1.0)
    for step in (5, 10, 20, 25):
        top = -(-largest // step) * step
        if top / step + 1 <= most:
            break
    top = max(top, step)
    if largest <= 100:
        top = min(top, 100)
    return list(range(0, int(top) + 1, step))


def count_axis(**extra) -> alt.Axis:
    """An axis of whole counts: ticks at whole numbers only, written without decimals."""
    return alt.Axis(format=",d", tickMinStep=1, **extra)


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
                "color": TEXT,
                "subtitleFontSize": 14,
                "subtitleColor": SECONDARY_TEXT,
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelColor": TEXT,
                "titleColor": TEXT,
                "gridColor": GRID_GREY,
                "domainColor": TEXT,
                "tickColor": TEXT,
            },
            "axisX": {"grid": False},
            "axisY": {"labelLimit": 360},
            # Vega-Lite cuts a legend label at 160px: "Neither agree nor disagree" would be
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "orient": "bottom",
                "labelLimit": 360,
                "labelColor": TEXT,
                "titleColor": TEXT,
            },
            "header": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 13},
            # Each chart's text alternative is its sentence and data table (ui.chart), so its
            # marks are hidden from screen readers: Vega gives a layer with no items (no point
            # to label) an untitled ARIA container, which WCAG checkers rightly flag
            "mark": {"aria": False},
            "text": {"color": TEXT},
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
SUBTITLE_LINE = 64  # characters of a 14px subtitle that fit a chart on an 800px-wide screen
SCREEN_TITLE_LINE = 44  # and of an 18px bold title


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


def for_screen(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart as the app shows it: its title, and each long subtitle line (the period, the
    source), over more lines than a page needs, so a chart in a narrow window cuts none off.
    Files keep a page's lines (a subtitle line is a note in a data file)."""
    out = chart.copy(deep=True)
    for part in (out, *getattr(out, "layer", ())):
        title = getattr(part, "title", None)
        if not isinstance(title, alt.TitleParams) or title.subtitle is alt.Undefined:
            continue
        lines = [title.subtitle] if isinstance(title.subtitle, str) else list(title.subtitle)
        wrapped = [
            piece
            for line in lines
            for piece in (textwrap.wrap(line, SUBTITLE_LINE, break_long_words=False) or [line])
        ]
        text = textwrap.wrap(title_text(title), SCREEN_TITLE_LINE) or [title_text(title)]
        part.title = alt.TitleParams(text if len(text) > 1 else text[0], subtitle=wrapped)
    return out


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
    value_ticks: list[float] | None = None,
    label_inside_from: float | None = None,
) -> alt.Chart:
    """Bars, one per category (coloured by `colour` when given), each labelled with its value.

    `label` names a text column drawn at the bar's end, e.g. '<5' where a count is suppressed.
    `value_ticks`: the value axis's ticks (e.g. `percent_ticks`), its scale running from the
    first to the last; else whole-number ticks for counts. `label_inside_from`: a (dark) bar of
    at least this value has its label inside its end, in white, so that a long label on a long
    bar does not run off a narrow chart.
    """
    sort = list(table[category])
    cat_axis = alt.Y if horizontal else alt.X
    val_axis = alt.X if horizontal else alt.Y
    category_channel = cat_axis(
        f"{category}:N", sort=sort, title=None, axis=category_axis(table[category])
    )
    encoding = {
        "y" if horizontal else "x": category_channel,
        "x" if horizontal else "y": val_axis(
            f"{value}:Q",
            title=value_title or value,
            **_value_scale(value_format, value_ticks, table[value]),
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
    if label_inside_from is None or not horizontal:
        return (bars + text).properties(**_size(horizontal))
    long_bar = f"datum['{value}'] >= {label_inside_from}"
    inside = (
        _bar_labels(base.transform_filter(long_bar), category_channel, value, label, True, "")
        .mark_text(align="right", baseline="middle", dx=-6, fontSize=12)
        .encode(color=alt.value("white"))
    )
    outside = text.transform_filter(f"!({long_bar})")
    return alt.layer(bars, outside, inside).properties(**_size(horizontal))


def _value_scale(value_format: str, ticks: list[float] | None, values: pd.Series) -> dict:
    """A value axis: at `ticks` (its scale from the first to the last) when given, else whole
    numbers only for counts; 0 alone at the foot when there is nothing above it to draw (every
    count 0 or hidden: the labels, `0`, `<5` and `[c]`, sit along it and say it)."""
    if ticks:
        return {
            "axis": alt.Axis(format=value_format, values=list(ticks)),
            "scale": alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
        }
    if not (pd.to_numeric(values, errors="coerce") > 0).any():
        return {
            "axis": alt.Axis(format=value_format, values=[0]),
            "scale": alt.Scale(domain=[0, 1]),
        }
    whole = value_format.endswith(".0f") or value_format.endswith("d")
    # about six ticks at round steps (0, 10, 20 ...), not one every 2 across a wide chart
    return {
        "axis": alt.Axis(
            format=value_format, tickMinStep=1 if whole else alt.Undefined, tickCount=6
        )
    }


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
    value_ticks: list[float] | None = None,
    faded: str | None = None,
    category_axis_labels: dict[str, list[str]] | None = None,
) -> alt.Chart:
    """Bars side by side, one per `group` within each category, with a legend.

    `value_ticks` as for `bar`. `faded` names a boolean column: its rows' bars are drawn lighter
    (e.g. a year with only some of its months); `category_axis_labels` writes a category's
    axis label over several lines (to say why).

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
    axis = {} if horizontal else {"labelAngle": 0}
    if category_axis_labels:
        expression = "datum.label"
        for text, lines in category_axis_labels.items():
            expression = f"datum.value === {json.dumps(text)} ? {json.dumps(lines)} : {expression}"
        axis["labelExpr"] = expression
    cat = cat_channel(
        f"{category}:N",
        sort=categories,
        title=None,
        axis=alt.Axis(**axis) if axis else alt.Undefined,
    )
    val = val_channel(
        f"{value}:Q",
        title=value_title or value,
        **_value_scale(value_format, value_ticks, table[value]),
    )
    offset = (alt.YOffset if horizontal else alt.XOffset)(f"{group}:N", sort=groups)
    offset_key = "yOffset" if horizontal else "xOffset"
    position = {"y" if horizontal else "x": cat, "x" if horizontal else "y": val}
    base = alt.Chart(table, title=chart_title(title, subtitle, source))
    bars = base.mark_bar().encode(
        **position,
        **{offset_key: offset},
        color=alt.Color(
            f"{group}:N",
            scale=alt.Scale(domain=domain, range=colours),
            sort=groups,
            title=None,
            # one a line: a row of long names runs off a narrow chart
            legend=alt.Legend(orient="bottom", columns=1),
        ),
        tooltip=[
            f"{category}:N",
            f"{group}:N",
            alt.Tooltip(f"{label}:N", title=value_title or value)
            if label
            else alt.Tooltip(f"{value}:Q", format=value_format),
        ],
        **(
            {"opacity": alt.condition(f"datum['{faded}']", alt.value(0.45), alt.value(1.0))}
            if faded
            else {}
        ),
    )
    text = _bar_labels(base, cat, value, label, horizontal, value_format, **{offset_key: offset})
    # horizontal: the step is each bar's (the offset's), so a category takes a bar per group
    size = {"height": alt.Step(18, **{"for": "offset"})} if horizontal else {"height": 280}
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
        axis=alt.Axis(format=",.0f", tickMinStep=1, tickCount=6),
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


LINE_HEIGHT = 260  # pixels of a line chart's plot, whatever its title and legend take
FLAT_HEIGHT = 80  # and of one with nothing above 0 to draw: its marks along the axis


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
    percent: bool = False,
    height: int = LINE_HEIGHT,
) -> alt.Chart:
    """A line over time (x holds period labels in order), with a point and label at each value.

    `label` names a text column to write at each point instead of the value: a hidden count has
    no value, so the line breaks there and its label (`[c]`, `<5`) sits on the axis, a gap that
    cannot be taken for "no data". `series_domain`: every series a set of charts colours alike
    (each course keeps its colour); `point_labels` off for many lines, whose labels collide.
    `percent`: the axis runs from 0 to 100 with a tick every 25; else counts tick at whole
    numbers. Labels sit above a point (below one lower than both its neighbours, where the line
    leaves it upwards) on a white halo, so the line never runs through them."""
    order = list(dict.fromkeys(table[x]))
    whole = value_format.endswith(".0f") or value_format.endswith("d")
    if percent:
        largest = pd.to_numeric(table[value], errors="coerce").max()
        top = 100 if pd.isna(largest) or largest <= 100 else -(-largest // 25) * 25
        y_axis = alt.Axis(format=value_format, values=list(range(0, int(top) + 1, 25)))
        y_scale = alt.Scale(domain=[0, top], nice=False)
    elif not (pd.to_numeric(table[value], errors="coerce") > 0).any():
        # nothing above 0 to draw (every count 0 or hidden): 0 at the foot, the marks on it
        y_axis = alt.Axis(format=value_format, values=[0])
        y_scale = alt.Scale(domain=[0, 1])
        height = min(height, FLAT_HEIGHT)  # no empty expanse above them
    else:
        y_axis = alt.Axis(
            format=value_format, tickMinStep=1 if whole else alt.Undefined, tickCount=5
        )
        y_scale = alt.Scale(zero=True)
    encoding = {
        "x": alt.X(
            f"{x}:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelAngle=-40 if len(order) > 5 else 0),
        ),
        "y": alt.Y(f"{value}:Q", title=value_title or value, axis=y_axis, scale=y_scale),
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
    size = {"height": height, "autosize": alt.AutoSizeParams(type="fit-x")}
    rows = table.assign(label_place=_label_places(table, value, series))
    base = alt.Chart(rows, title=chart_title(title, subtitle, source)).encode(**encoding)
    lines = base.mark_line(point=True)
    if not point_labels:
        return lines.properties(**size)
    if label is None:
        text = alt.Text(f"{value}:Q", format=value_format)
        at = base
    else:
        text = alt.Text(f"{label}:N")
        at = base.transform_calculate(
            label_at=f"isValid(datum['{value}']) ? datum['{value}'] : 0"
        ).encode(y=alt.Y("label_at:Q", title=value_title or value, axis=y_axis, scale=y_scale))
    labels = []
    for place in dict.fromkeys(rows["label_place"]):
        placed = at.transform_filter(alt.FieldEqualPredicate(field="label_place", equal=place))
        style = {**LABEL_PLACES[place], "fontSize": 12, "baseline": "middle"}
        labels.append(  # a white halo under the text, so no line runs through it
            placed.mark_text(**style, stroke="white", strokeWidth=4, strokeJoin="round").encode(
                text=text, color=alt.value("white")
            )
        )
        labels.append(placed.mark_text(**style).encode(text=text, color=alt.value(TEXT)))
    return alt.layer(lines, *labels).properties(**size)


# Where a point's label goes, clear of the line through it: above a peak, below a trough (unless
# that is the axis), beside a point the line passes through, on the side the line leaves free.
LABEL_PLACES = {
    "above": {"dy": -12},
    "below": {"dy": 14},
    "upper left": {"dy": -10, "dx": -6, "align": "right"},
    "upper right": {"dy": -10, "dx": 6, "align": "left"},
}


def _label_places(table: pd.DataFrame, value: str, series: str | None) -> list[str]:
    """Each point's label place (a key of LABEL_PLACES), from the points either side of it."""
    values = pd.to_numeric(table[value], errors="coerce")
    groups = table[series] if series else pd.Series(0, index=table.index)
    before = values.groupby(groups).shift(1)
    after = values.groupby(groups).shift(-1)
    clear_of_axis = values > 0.15 * values.max()  # a label under a low point would hit the axis
    places = []
    for now, left, right, clear in zip(values, before, after, clear_of_axis, strict=True):
        up_left, up_right = left > now, right > now  # NaN compares False: no line that way
        if pd.isna(now) or not (up_left or up_right):
            places.append("above")  # a peak, a point alone, or a hidden value's mark on the axis
        elif up_left and up_right or (pd.isna(left) or pd.isna(right)) and clear:
            places.append("below" if clear else "above")
        elif up_right:  # rising through the point: the space up and to the left is free
            places.append("upper left")
        else:  # falling through it: up and to the right
            places.append("upper right")
    return places


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
    rows["mid"] = (rows["x_start"] + rows["x_end"]) / 2
    rows["segment_label"] = [f"{v:.0f}%" for v in rows[share]]
    on = dict(zip(scale_order, colours, strict=False))
    rows["label_colour"] = [text_on(on.get(a, DARK_BLUE)) for a in rows[answer]]
    left_end = -(-max(0.0, -rows["x_start"].min()) // 25) * 25
    right_end = max(25, -(-max(0.0, rows["x_end"].max()) // 25) * 25)
    ticks = list(range(-int(left_end), int(right_end) + 1, 25))
    y = alt.Y(
        f"{category}:N",
        sort=category_order or list(dict.fromkeys(rows[category])),
        title=None,
        axis=alt.Axis(labelLimit=LABEL_LIMIT),
    )
    base = alt.Chart(rows, title=chart_title(title, subtitle, source))
    bars = base.mark_bar().encode(
        y=y,
        # negative answers run left of 0, but every share is positive: the labels drop the sign
        x=alt.X(
            "x_start:Q",
            title="Share of respondents (%)",
            scale=alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
            axis=alt.Axis(values=ticks, labelExpr=DIVERGING_LABELS),
        ),
        x2="x_end:Q",
        color=alt.Color(
            f"{answer}:N",
            scale=alt.Scale(domain=scale_order, range=colours),
            sort=scale_order,
            title=None,
        ),
        tooltip=[f"{category}:N", f"{answer}:N", alt.Tooltip(f"{share}:Q", format=".0f")],
    )
    # each segment wide enough to hold its share says it
    labels = base.mark_text(fontSize=12, baseline="middle").encode(
        y=y,
        x="mid:Q",
        text=alt.condition(SEGMENT_WIDE_ENOUGH, "segment_label:N", alt.value("")),
        color=alt.Color("label_colour:N", scale=None),
    )
    return (bars + labels).properties(
        height=alt.Step(36), autosize=alt.AutoSizeParams(type="fit-x")
    )


DIVERGING_LABELS = "format(abs(datum.value), '.0f')"
SEGMENT_WIDE_ENOUGH = "scale('x', datum.x_end) - scale('x', datum.x_start) >= 30"


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


PANEL_HEIGHT = 90  # pixels of each small multiple's plot


def small_multiples(
    table: pd.DataFrame,
    *,
    x: str,
    value: str,
    panel: str,
    title: str,
    subtitle: str = "",
    source: str = "",
    panel_domain: list[str] | None = None,
    value_format: str = ",.0f",
) -> alt.VConcatChart:
    """One small line chart per `panel` (e.g. a course), stacked, each on its own scale and in
    its series' colour, so a series of tens is not flattened under one of hundreds. Each panel
    fills the width; the periods are written under the last."""
    order = list(dict.fromkeys(table[x]))
    names = [n for n in dict.fromkeys(table[panel])]
    domain, colours = colours_for(panel_domain or names)
    colour = dict(zip(domain, colours, strict=True))
    views = []
    for i, name in enumerate(names):
        last = i == len(names) - 1
        view = (
            alt.Chart(
                title=alt.TitleParams(name, fontSize=14, anchor="start", offset=6, frame="group")
            )
            .transform_filter(alt.FieldEqualPredicate(field=panel, equal=name))
            .mark_line(
                point=alt.OverlayMarkDef(color=colour.get(name, DARK_BLUE)),
                color=colour.get(name, DARK_BLUE),
            )
            .encode(
                x=alt.X(
                    f"{x}:N",
                    sort=order,
                    scale=alt.Scale(domain=order),
                    title=None,
                    axis=alt.Axis(labels=last, ticks=last, labelAngle=-40 if len(order) > 5 else 0),
                ),
                y=alt.Y(
                    f"{value}:Q",
                    title=None,
                    axis=count_axis(tickCount=3),
                    scale=alt.Scale(zero=True),
                ),
                tooltip=[f"{panel}:N", f"{x}:N", alt.Tooltip(f"{value}:Q", format=value_format)],
            )
            .properties(width="container", height=PANEL_HEIGHT)
        )
        views.append(view)
    return alt.vconcat(
        *views, data=table, title=chart_title(title, subtitle, source), spacing=14
    ).resolve_scale(y="independent")
