"""The six kinds of spreadsheet, each described as data for the one generic reader and loader.

A `Kind` lists the fields of its view, the header spellings each field accepts, its type and
categories, the upload option that stands in when a file lacks the field, and its natural key.
Adding a seventh kind is a new `Kind` here and an entry in `KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cams_data.text import normalise_header

# Field types the validator knows: text, category, date, period, count, number, objective,
# wave and response_time.
# "period" fills two view columns: period_start (first day) and period_months (1, 3 or 12).
# "wave" is a survey wave ('2025-10'), text; left blank, it is the month most responses fall in,
# read from the kind's "response_time" identifier (a form's completion time or timestamp).


@dataclass(frozen=True)
class Category:
    name: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clue:
    """Words in a file's own text (its title rows, sheet name or count header) that name a
    field's value for the whole file: 'Essex Police' names the Essex Police force area."""

    pattern: str  # a regular expression; its groups may be used in `value`
    value: str  # the value, e.g. r"\1 force area"


@dataclass(frozen=True)
class UploadOption:
    """What an officer may give at upload for a whole file that lacks a field."""

    name: str  # as `validate.Options` and the command line (--referral-type) name it
    label: str
    choices: tuple[str, ...] = ()  # chosen from a list, else typed

    @property
    def flag(self) -> str:
        """The command line's option: '--referral-type'."""
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    combined: str | None = None  # category for a value naming several, e.g. "Labour & Criminal"
    required: bool = True
    option: str | None = None  # upload option used when the file has no such column
    default: str | None = None  # value when neither the file nor the upload gives one
    # The summary says when the default stood in: a wrong one (the local area for a force's
    # table) would put wider figures into local counts.
    default_said: bool = False
    sql_type: str = "VARCHAR"
    contains: tuple[str, ...] = ()  # a header holding one of these phrases also matches
    past_only: bool = False  # a date that cannot be after the day of the upload
    # A text cell holding an e-mail address is a problem (personal data is never stored), or
    # is stored as this instead: an action's owner should be a team, and "a person" is news.
    email_stored_as: str | None = None
    label: str | None = None  # what an officer calls it, when the name does not say it
    # Spellings differing only in case are one value, shown as first seen: 'CAMS awareness' and
    # 'Cams Awareness' are one course.
    case_blind: bool = False
    # (field, value): the date the row's field took that value ('status', 'Completed'). A row
    # with the value needs the date, a row with no value but a date has it, others keep no date.
    date_of: tuple[str, str] | None = None

    @property
    def in_words(self) -> str:
        """The field in a sentence: 'completion date' for completed_on."""
        return self.label or self.name.replace("_", " ")

    # A file with no such column may name the value in its text; the upload option still wins.
    named_by: tuple[Clue, ...] = ()

    @property
    def header_keys(self) -> frozenset[str]:
        return frozenset(normalise_header(a) for a in (self.name, *self.aliases))

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    help: str
    source: str  # where the figures come from, for charts' source notes
    fields: tuple[Field, ...]
    natural_key: tuple[str, ...]  # SQL expressions over the view columns
    current_rule: str | None = None  # SQL condition a current row must also meet
    replaces_whole: str | None = None  # survey: an upload replaces its whole wave
    identifiers: tuple[Field, ...] = ()  # read to make a pseudonymous key, never stored
    key_field: str | None = None  # the view column that holds that key
    key_after: str | None = None  # the field the key column follows in the view (else first)
    ignored: tuple[str, ...] = ()  # headers read and known but not stored
    # Headers of breakdowns the view does not keep (gender, nationality): their cells are
    # added up. In a kind that adds up its figures, a column it does not know is one too.
    breakdowns: tuple[str, ...] = ()
    wide_periods: bool = False  # may come as a crosstab: periods across, counts in the cells
    # Category fields whose categories may run across instead (a published table: exploitation
    # types down, 'Adult | Child | Not specified or unknown | Total' across): each header naming
    # one of the field's categories is that field's value for its cells, the count the cell.
    wide_categories: tuple[str, ...] = ()
    # A suppressed cell of such a table ('[x]', '[c]', '..'): left out, read as unknown, and the
    # summary says how many (True), or a problem that refuses the file (False).
    skips_suppressed: bool = False
    wide_questions: bool = False  # survey: every other column is a question
    allows_partial: bool = True  # may load only the valid rows when some are wrong
    sum_duplicates: bool = False  # rows landing on one key are added up (counts)
    one_period_length_per: tuple[str, ...] = ()
    detect_with: tuple[str, ...] = ()  # fields whose presence marks the kind
    detect_also: tuple[tuple[str, ...], ...] = ()  # other sets of fields that mark it too
    example: dict[str, str] = field(default_factory=dict)
    # a view <name>_history of every active upload's rows, superseded ones too: the tracker's
    # statuses as at a date come from the version updated by then
    keeps_history: bool = False
    # Whom the pseudonymous key tells apart: "person" (by e-mail, employee number or name; a
    # table with none of them is not this kind) or "response" (by the form's response ID, else
    # its row, within its wave).
    key_of: str | None = None
    # Of rows on one key, the one furthest along this field's values wins, then the later one:
    # a completion is not undone by an open status later in the file.
    furthest_wins: tuple[str, tuple[str, ...]] | None = None
    # The field whose values say which days a row describes (a date, a period or a wave): the
    # span of the figures, and what each upload covers.
    dated_by: str | None = None
    # Those dates say when the figures were taken (a headcount's snapshot, a tracker's last
    # update), not a period they describe: the periods offered start from the other kinds.
    dated_as_snapshot: bool = False
    # Columns a template has before the fields: (header, example, the identifier its About sheet
    # lists, if any).
    template_extras: tuple[tuple[str, str, str | None], ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def in_a_sentence(self) -> str:
        """The title inside a sentence: 'referral counts (NRM and Duty to Notify)'."""
        return self.title[0].lower() + self.title[1:]

    @property
    def view_columns(self) -> tuple[str, ...]:
        columns: list[str] = []
        for f in self.fields:
            if f.type == "period":
                columns += ["period_start", "period_months"]
            else:
                columns.append(f.name)
        if self.key_field:
            at = columns.index(self.key_after) + 1 if self.key_after else 0
            columns.insert(at, self.key_field)
        return tuple(columns)

    @property
    def upload_options(self) -> tuple[UploadOption, ...]:
        """What an officer may give at upload, in the order of the fields they stand in for."""
        return tuple(UPLOAD_OPTIONS[f.option] for f in self.fields if f.option)

    @property
    def field_names(self) -> frozenset[str]:
        """Every field a column can fill, identifiers (read, never stored) included."""
        return frozenset(f.name for f in (*self.identifiers, *self.fields))

    @property
    def value_field(self) -> Field | None:
        """The numeric column a crosstab spreads across periods."""
        return next((f for f in self.fields if f.type in ("count", "number")), None)


NOT_SPECIFIED = "Not specified"

TRAINING_STATUS = (
    Category(
        "Completed",
        ("complete", "completed", "passed", "pass", "attended", "achieved", "done", "finished"),
    ),
    Category(
        "In progress",
        (
            "in progress",
            "started",
            "incomplete",
            "ongoing",
            "in-progress",
            "failed",
            "not passed",
            "not completed",
            "attempted",
        ),
    ),
    Category(
        "Not started",
        (
            "not started",
            "not attempted",
            "not yet started",
            "enrolled",
            "assigned",
            "registered",
            "booked",
            "not booked",
            "outstanding",
        ),
    ),
)

ACTION_STATUS = (
    Category("Not started", ("not started", "not yet started", "to do", "planned", "open")),
    Category(
        "In progress",
        (
            "in progress",
            "ongoing",
            "on track",
            "not on track",
            "off track",
            "started",
            "underway",
            "under way",
            "in hand",
            "overdue",
            "delayed",
            "behind",
        ),
    ),
    Category("Completed", ("completed", "complete", "done", "achieved", "closed", "delivered")),
    Category("On hold", ("on hold", "paused", "deferred", "postponed", "suspended")),
)

EXPLOITATION_TYPES = (
    Category("Labour", ("labour", "labor", "forced labour", "labour exploitation")),
    Category("Sexual", ("sexual", "sexual exploitation")),
    Category(
        "Criminal",
        ("criminal", "criminal exploitation", "county lines", "forced criminality"),
    ),
    Category("Domestic servitude", ("domestic", "domestic servitude")),
    Category("Organ harvesting", ("organ", "organ harvesting", "organ removal")),
    Category("Multiple", ("multiple", "combination", "more than one")),
    Category(
        "Not specified or unknown",
        ("not specified", "unknown", "not known", "unspecified", "not recorded"),
    ),
)

AGE_GROUPS = (
    Category("Adult", ("adult", "18 or over", "over 18", "18+", "adults")),
    Category("Child", ("child", "children", "under 18", "17 or under", "minor", "u18")),
    Category(NOT_SPECIFIED, ("not specified", "unknown", "not known", "not specified or unknown")),
)

REFERRAL_TYPES = (
    Category("NRM referral", ("nrm", "nrm referral", "national referral mechanism")),
    Category("Duty to Notify", ("duty to notify", "dtn", "ms1", "duty to notify ms1")),
    Category("Other", ("other",)),
)

# The names every page, chart and file uses, in the order they are listed ('not specified' last).
EXPLOITATION_TYPE_NAMES = tuple(c.name for c in EXPLOITATION_TYPES)
AGE_GROUP_NAMES = tuple(c.name for c in AGE_GROUPS)
REFERRAL_TYPE_NAMES = tuple(c.name for c in REFERRAL_TYPES)

# A field's `option`, as the upload page offers it.
UPLOAD_OPTIONS = {
    option.name: option
    for option in (
        UploadOption(
            "organisation", "Organisation (for a partner's return, e.g. Colchester Borough Homes)"
        ),
        UploadOption("period", "Period the file covers, when it has no dates (e.g. 2025/26 Q2)"),
        UploadOption(
            "referral_type",
            "Referral type, when the file has no such column",
            choices=REFERRAL_TYPE_NAMES,
        ),
        UploadOption("geography", "Area, for a wider area's table (e.g. Essex Police force area)"),
        UploadOption(
            "wave", "Survey wave (e.g. 2025-10); taken from the response dates when left blank"
        ),
    )
}

OBJECTIVES = {
    1: "Survivor Support and Care",
    2: "Funding and Sustainability",
    3: "Multi-agency approach to intelligence and disruption",
    4: "Partnership profile/awareness",
}

ORGANISATION = Field(
    "organisation",
    "text",
    ("organization", "organisation name", "company", "employer", "org"),
    option="organisation",
    default="@default_organisation",
)
SERVICE_AREA = Field(
    "service_area",
    "text",
    (
        "service area",
        "service",
        "department",
        "directorate",
        "team",
        "business unit",
        "dept",
        "division",
        "service area department",
    ),
    required=False,
    default=NOT_SPECIFIED,
)
ROLE = Field(
    "role",
    "text",
    ("job title", "job role", "position", "post", "job", "post title"),
    required=False,
    default=NOT_SPECIFIED,
)
PERIOD = Field(
    "period",
    "period",
    (
        "month",
        "quarter",
        "reporting period",
        "period covered",
        "date",
        "financial quarter",
        "reporting month",
        "period start",
        "month of referral",
        "quarter of referral",
    ),
    option="period",
)
OBJECTIVE = Field(
    "objective",
    "objective",
    ("objective number", "objective no", "partnership objective"),
    sql_type="TINYINT",
)

TRAINING = Kind(
    name="training",
    title="Training completions",
    source="council learning system",
    help=(
        "One row per learner per course, as the learning system (Learning Pool) exports it, or an "
        "attendance register of a CAMS or First Responder session, or a partner's return. Names "
        "and e-mails are read to tell people apart, then dropped: only a pseudonymous key is kept."
    ),
    identifiers=(
        Field(
            "email",
            "text",
            (
                "email address",
                "e-mail",
                "e-mail address",
                "work email",
                "user email",
                "learner email",
                "email id",
            ),
        ),
        Field(
            "employee_number",
            "text",
            (
                "employee number",
                "employee no",
                "employee id",
                "staff number",
                "staff id",
                "payroll number",
                "employee ref",
                "person number",
                "assignment number",
            ),
        ),
        Field(
            "full_name",
            "text",
            (
                "name",
                "full name",
                "learner",
                "learner name",
                "user",
                "user name",
                "staff name",
                "employee name",
                "delegate",
                "attendee",
                "participant",
                "delegate name",
            ),
        ),
        Field("first_name", "text", ("first name", "forename", "given name", "first names")),
        Field("last_name", "text", ("last name", "surname", "family name")),
    ),
    key_field="person_key",
    key_of="person",
    fields=(
        ORGANISATION,
        SERVICE_AREA,
        ROLE,
        Field(
            "course",
            "text",
            (
                "course name",
                "course title",
                "module",
                "learning item",
                "training",
                "training course",
                "course module",
                "activity",
                "e-learning",
                "learning title",
                "item title",
            ),
            case_blind=True,
        ),
        Field(
            "status",
            "category",
            ("completion status", "course status", "progress", "result", "learner status"),
            categories=TRAINING_STATUS,
            required=False,
        ),
        Field(
            "completed_on",
            "date",
            (
                "date completed",
                "completion date",
                "completed on",
                "completed",
                "date of completion",
                "completed date",
                "date attended",
                "attended on",
                "date passed",
                "date of training",
                "training date",
            ),
            required=False,
            sql_type="DATE",
            past_only=True,
            label="completion date",
            date_of=("status", "Completed"),
        ),
    ),
    natural_key=("person_key", "lower(course)", "completed_on"),
    # A completion is never undone by a later open status; an open status goes once completed.
    current_rule=(
        "status = 'Completed' OR count_if(status = 'Completed') "
        "OVER (PARTITION BY person_key, lower(course)) = 0"
    ),
    ignored=(
        "start date",
        "enrolled on",
        "enrolment date",
        "due date",
        "score",
        "line manager",
        "manager",
        "time spent",
        "last accessed",
        "location",
        "cost centre",
    ),
    detect_with=("course",),
    furthest_wins=("status", ("Not started", "In progress", "Completed")),
    dated_by="completed_on",
    template_extras=(("Email address", "first.last@colchester.gov.uk", "email"),),
    example={
        "organisation": "Colchester City Council",
        "service_area": "Community Safety",
        "role": "Community Safety Officer",
        "course": "Home Office First Responder",
        "status": "Completed",
        "completed_on": "14/05/2025",
    },
)

ESTABLISHMENT = Kind(
    name="establishment",
    title="Staff numbers (establishment)",
    source="council HR staff numbers",
    help=(
        "How many staff each service area has in each role, from HR, with no names: the "
        "denominator of training coverage. One row per organisation, service area and role."
    ),
    fields=(
        ORGANISATION,
        SERVICE_AREA,
        ROLE,
        Field(
            "headcount",
            "count",
            (
                "staff",
                "number of staff",
                "staff numbers",
                "employees",
                "number of employees",
                "head count",
                "posts",
                "staff in post",
                "number in post",
            ),
            sql_type="INTEGER",
        ),
        Field(
            "as_of",
            "date",
            ("as at", "as of date", "snapshot date", "effective date", "date"),
            option="period",
            default="@today",
            sql_type="DATE",
            past_only=True,
        ),
    ),
    natural_key=("organisation", "service_area", "role", "as_of"),
    sum_duplicates=True,
    detect_with=("headcount",),
    dated_by="as_of",
    dated_as_snapshot=True,
    example={
        "organisation": "Colchester City Council",
        "service_area": "Community Safety",
        "role": "Community Safety Officer",
        "headcount": "12",
        "as_of": "01/04/2025",
    },
)

_MONTH_NAME = (
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# A published table's title names its quarter or year: 'October to December 2023'.
REFERRAL_PERIOD = replace(
    PERIOD,
    named_by=(Clue(rf"(?i)\b({_MONTH_NAME}\s*(?:to|-)\s*{_MONTH_NAME}\s+\d{{4}})\b", r"\1"),),
)

REFERRALS = Kind(
    name="referrals",
    title="Referral counts (NRM and Duty to Notify)",
    source="NRM referral and Duty to Notify records",
    help=(
        "Counts of NRM referrals and Duty to Notify (MS1) notifications, from the Community "
        "Safety referral log or the Home Office's published NRM tables for a wider area: tidy "
        "(one row per count) or as a table with categories down and months or quarters across, "
        "as the Home Office publishes them. Totals are not counted; breakdowns the dashboard does "
        "not keep, such as gender, nationality or location, are added up."
    ),
    fields=(
        REFERRAL_PERIOD,
        Field(
            "geography",
            "text",
            (
                "area",
                "local authority",
                "police force area",
                "force area",
                "location",
                "region",
                "police force",
            ),
            required=False,
            option="geography",
            default="@default_geography",
            default_said=True,
            named_by=(
                # 'Essex Police', 'Avon and Somerset Constabulary', 'City of London Police'
                Clue(
                    r"\b((?:[A-Z][a-z]+ (?:(?:and|&|of) )?){1,3}(?:Police|Constabulary))\b"
                    r"(?! forces?\b)",
                    r"\1 force area",
                ),
                Clue(r"\b(Police Scotland|Police Service of Northern Ireland)\b", r"\1"),
                # 'Colchester City Council', 'Tendring District Council'
                Clue(
                    r"\b((?:[A-Z][a-z]+ ){1,3})(?:City|Borough|District|County) Council\b",
                    r"\1",
                ),
                Clue(r"\bEngland and Wales\b", "England and Wales"),
                Clue(r"\b(?:UK|United Kingdom)\b", "UK"),
            ),
        ),
        Field(
            "referral_type",
            "category",
            ("type of referral", "referral route", "route", "referral", "type"),
            categories=REFERRAL_TYPES,
            required=False,
            option="referral_type",
            default="Other",
            default_said=True,
            named_by=(
                Clue(r"(?i)\bduty to notify\b|\bMS1\b|\bnotifications?\b", "Duty to Notify"),
                Clue(r"\bNRM\b|(?i:\bnational referral mechanism\b)", "NRM referral"),
            ),
        ),
        Field(
            "exploitation_type",
            "category",
            (
                "type of exploitation",
                "exploitation",
                "exploitation category",
                "primary exploitation",
                "exploitation type s",
            ),
            categories=EXPLOITATION_TYPES,
            combined="Multiple",
            required=False,
            default="Not specified or unknown",
        ),
        Field(
            "age_group",
            "category",
            (
                "age at exploitation",
                "age",
                "age category",
                "adult child",
                "age band",
                "age at referral",
                "age group at exploitation",
            ),
            categories=AGE_GROUPS,
            required=False,
            default=NOT_SPECIFIED,
        ),
        Field(
            "referring_agency",
            "text",
            (
                "first responder",
                "referring agency",
                "referring organisation",
                "referrer",
                "agency",
                "referred by",
                "first responder organisation",
            ),
            required=False,
            default=NOT_SPECIFIED,
        ),
        Field(
            "referrals",
            "count",
            (
                "number of referrals",
                "count",
                "people",
                "number",
                "no of referrals",
                "total referrals",
                "potential victims",
                "number of people",
                "referral count",
                "nrm referrals",
                "notifications",
                "number of notifications",
                "duty to notify reports",
                "number of duty to notify reports",
                "dtn reports",
                "total",
            ),
            sql_type="INTEGER",
        ),
    ),
    natural_key=(
        "period_start",
        "period_months",
        "geography",
        "referral_type",
        "exploitation_type",
        "age_group",
        "referring_agency",
    ),
    ignored=("notes", "note"),
    breakdowns=(
        "first responder type",
        "gender",
        "sex",
        "nationality",
        "country of origin",
        "location of exploitation",
        "country of exploitation",
        "region of exploitation",
    ),
    wide_periods=True,
    wide_categories=("exploitation_type", "age_group"),
    skips_suppressed=True,
    allows_partial=False,
    sum_duplicates=True,
    # A month is covered by monthly rows or by a quarter's, never both, for each of these.
    one_period_length_per=("geography", "referral_type", "referring_agency"),
    detect_with=("referrals",),
    dated_by="period",
    example={
        "period": "Apr-25",
        "geography": "Colchester",
        "referral_type": "NRM referral",
        "exploitation_type": "Criminal",
        "age_group": "Child",
        "referring_agency": "Colchester City Council",
        "referrals": "3",
    },
)

SURVEY = Kind(
    name="survey",
    title="Staff survey responses",
    source="CAMS staff survey",
    help=(
        "A Microsoft Forms or Google Forms export: one row per response, one column per "
        "question. Names and e-mails are dropped, and so are questions asking for them or "
        "answered one way per person; multi-choice answers are stored one row per chosen "
        "option; free-text answers are not stored."
    ),
    identifiers=(
        Field(
            "response_id",
            "text",
            ("id", "response id", "respondent id", "response number", "respondent"),
        ),
        Field("email", "text", ("email address", "e-mail", "e-mail address", "respondent email")),
        Field("full_name", "text", ("name", "full name", "respondent name")),
        Field(
            "completion_time",
            "response_time",
            (
                "completion time",
                "completed at",
                "submitted",
                "submission time",
                "end time",
            ),
        ),
        # Google Forms' response time; it has no response ID, so this alone marks the kind.
        Field("timestamp", "response_time", ()),
    ),
    key_field="respondent_key",
    key_of="response",
    key_after="wave",
    fields=(
        # Blank or absent: taken from the response dates (or given at upload).
        Field("wave", "wave", ("survey wave", "survey"), option="wave", required=False),
        Field(
            "service_area",
            "text",
            (
                "service area",
                "department",
                "directorate",
                "team",
                "service",
                "which service area do you work in",
                "which department do you work in",
                "which service do you work in",
                "which directorate do you work in",
            ),
            required=False,
            default=NOT_SPECIFIED,
            contains=("service area", "department", "directorate"),
        ),
        Field("question", "text", ()),
        Field("answer", "text", ()),
    ),
    natural_key=("wave",),
    replaces_whole="wave",
    ignored=("start time", "last modified time", "started at", "language"),
    wide_questions=True,
    detect_with=("response_id", "completion_time"),
    detect_also=(("timestamp",),),
    dated_by="wave",
    template_extras=(("ID", "1", None), ("Completion time", "14/10/2025 09:30", None)),
    example={
        "service_area": "Housing",
        "question": "Do you know how to report a concern about modern slavery?",
        "answer": "Yes",
    },
)

MEASURES = Kind(
    name="measures",
    title="Partnership measures",
    source="partner returns",
    help=(
        "Figures partners report each quarter: funding secured (GBP), intelligence submissions, "
        "disruption activity, awareness events and attendance. One row per objective, measure, "
        "organisation and period, or periods across."
    ),
    fields=(
        OBJECTIVE,
        Field(
            "measure",
            "text",
            (
                "indicator",
                "metric",
                "measure name",
                "kpi",
                "description of measure",
                "performance measure",
            ),
        ),
        Field(
            "organisation",
            "text",
            ("organization", "partner", "reported by", "agency", "partner organisation"),
            option="organisation",
            required=False,
            default="@default_measure_organisation",
        ),
        PERIOD,
        Field(
            "value",
            "number",
            ("figure", "amount", "result", "actual", "total", "value gbp", "count", "number"),
            sql_type="DOUBLE",
        ),
    ),
    natural_key=("objective", "measure", "organisation", "period_start", "period_months"),
    ignored=("notes", "note", "comments", "unit", "target", "rag"),
    wide_periods=True,
    allows_partial=False,
    sum_duplicates=True,
    detect_with=("measure",),
    dated_by="period",
    example={
        "objective": "2",
        "measure": "Funding secured (GBP)",
        "organisation": "Colchester City Council",
        "period": "2025/26 Q1",
        "value": "£12,500",
    },
)

ACTIONS = Kind(
    name="actions",
    title="Action plan",
    source="CAMS action plan tracker",
    help=(
        "The actions of the partnership plan, from the tracker: objective, action, owning team, "
        "due date, status and when it was last updated. Overdue is worked out from the due date."
    ),
    fields=(
        OBJECTIVE,
        Field(
            "action",
            "text",
            ("action description", "description", "task", "action title", "actions"),
        ),
        Field(
            "owner",
            "text",
            (
                "lead",
                "responsible",
                "action owner",
                "lead officer",
                "owner team",
                "responsible team",
                "lead organisation",
            ),
            required=False,
            default=NOT_SPECIFIED,
            email_stored_as=NOT_SPECIFIED,
        ),
        Field(
            "due_on",
            "date",
            (
                "due",
                "due date",
                "deadline",
                "target date",
                "due by",
                "completion target",
                "by when",
            ),
            required=False,
            sql_type="DATE",
        ),
        Field(
            "status",
            "category",
            ("progress", "rag status", "action status", "current status"),
            categories=ACTION_STATUS,
        ),
        Field(
            "updated_on",
            "date",
            ("updated", "last updated", "date updated", "update date", "last update"),
            required=False,
            default="@today",
            sql_type="DATE",
            past_only=True,
        ),
    ),
    natural_key=("objective", "action"),
    keeps_history=True,
    ignored=("notes", "comments", "progress notes", "update", "ref", "no"),
    detect_with=("action",),
    dated_by="updated_on",
    dated_as_snapshot=True,
    example={
        "objective": "4",
        "action": "Awareness campaign for Anti-Slavery Day",
        "owner": "Communications",
        "due_on": "18/10/2025",
        "status": "In progress",
        "updated_on": "01/09/2025",
    },
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (TRAINING, ESTABLISHMENT, REFERRALS, SURVEY, MEASURES, ACTIONS)
}
