"""The response bodies of the API, as pydantic models: one model per object, and what is sent.

Every JSON route declares its model with ``typed(...)``: FastAPI validates the value the route
returns against it and serialises exactly the fields that value sets, so ``/openapi.json``
documents what is sent. ``extra="forbid"`` makes a field the code returns but the model lacks
an error, not a silent extra; ``tests/core/test_openapi.py`` walks real answers through them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema


def _iso_datetime(value: str) -> str:
    if datetime.fromisoformat(value).tzinfo is None:
        raise ValueError("a date-time carries its UTC offset")
    return value


def _iso_date(value: str) -> str:
    date.fromisoformat(value)
    return value


Money = Annotated[
    str,
    Field(pattern=r"^-?\d+\.\d{2}$", description="an amount as a decimal string with two decimals"),
]
DateTime = Annotated[
    str, AfterValidator(_iso_datetime), Field(json_schema_extra={"format": "date-time"})
]  # ISO 8601 with offset, e.g. "2025-03-01T08:30:00+00:00"
Date = Annotated[str, AfterValidator(_iso_date), Field(json_schema_extra={"format": "date"})]


class Schema(BaseModel):
    """Every response model: a field the code returns but the model does not list is an error."""

    model_config = ConfigDict(extra="forbid")


# --- errors --------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="stable machine-readable code, e.g. `not_found`, `stale_version`")
    message: str = Field(description="in English, for logs and API clients; may change")
    params: dict[str, str] = Field(
        default_factory=dict,
        description="the figures the message rests on (e.g. `item`, `claim`): the web app words the code "
        "with them in the reader's language",
    )
    details: Any = Field(
        default=None,
        description="only when there are extra facts: for 422 `invalid_request` a list of "
        "`{loc, msg, type}`, otherwise what the error carries (which item, which claim)",
    )


class ErrorBody(Schema):
    """The one error shape of the API."""

    error: ErrorDetail


_ERRORS = {
    401: "not signed in, or the bearer token or API key is not valid",
    403: "signed in, but not allowed to do this",
    404: "not found, or not visible to the caller",
    409: "conflicts with the current state (of the claim, its version, data stored meanwhile)",
    413: "a file is larger than the upload limit",
    422: "the request is not valid (`invalid_request`, with details) or the input is refused",
    429: "too many attempts or requests (`too_many_attempts`, `rate_limited`); see `Retry-After`",
    503: "the file store or the database is unreachable (`storage_unavailable`, `database_unavailable`)",
}


def answers(
    model: type[BaseModel] | None, *errors: int, status: int = 200
) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: the success body (``model`` at ``status``) and the error
    statuses it can answer with, all in the ``ErrorBody`` shape."""
    out: dict[int | str, dict[str, Any]] = {} if model is None else {status: {"model": model}}
    out.update({code: {"model": ErrorBody, "description": _ERRORS[code]} for code in errors})
    return out


def typed(model: type[BaseModel], *errors: int) -> dict[str, Any]:
    """A route's typed answer: ``model`` is what is sent (FastAPI validates the returned value
    against it, so a field the code returns but the model lacks fails loudly) and what
    ``/openapi.json`` documents; ``errors`` are the error statuses it can answer with."""
    return {
        "response_model": model,
        "response_model_exclude_unset": True,
        "responses": answers(None, *errors),
    }


# --- identity ------------------------------------------------------------------------------


class User(Schema):
    id: int
    username: str
    display_name: str
    email: str | None
    roles: list[str] = Field(description="sorted; always includes `employee`")
    department_id: int | None
    manager_id: int | None
    rank: int
    locale: str
    active: bool


class MachinePrincipal(Schema):
    """``/me`` for an API key or a token of no local user."""

    subject: str
    roles: list[str]
    scopes: list[str]


class Me(RootModel[User | MachinePrincipal]):
    """``/me``: the signed-in user, or the machine principal of an API key."""


class Login(Schema):
    token: str = Field(description="send as `Authorization: Bearer <token>`")
    token_type: str = Field(description="always `bearer`")
    user: User


class WebSession(Schema):
    """The web app's sign-in: the session itself is in an HttpOnly cookie, never in the body."""

    user: User
    csrf_token: str = Field(
        description="send as `X-CSRF-Token` with every POST/PUT/PATCH/DELETE made with the session "
        "cookie (also set as the readable cookie `reimburse_csrf`)"
    )


class Person(Schema):
    id: int
    display_name: str
    department_id: int | None


class PeoplePage(Schema):
    items: list[Person]


class Department(Schema):
    id: int
    name: str
    parent_id: int | None
    head_user_id: int | None


class DepartmentList(Schema):
    items: list[Department]


# --- documents -----------------------------------------------------------------------------


class LineItem(Schema):
    """One line of the invoice's goods/services table, as printed (strings, or null)."""

    name: str | None
    spec: str | None
    unit: str | None
    quantity: str | None
    unit_price: str | None
    amount: str | None
    tax_rate: str | None
    tax: str | None


class ReviewReason(Schema):
    code: str
    message: str
    fields: list[str] = Field(description="the invoice fields concerned")
    params: dict[str, str] = Field(
        default_factory=dict, description="the values the reason compares (e.g. `qr`, `printed`)"
    )


class Extraction(Schema):
    """What the reader found in one invoice of a document (a PDF may hold several)."""

    is_invoice: bool
    document_type: str = Field(description="e.g. `vat_electronic_general`, `digital_general`, `unknown`")
    fields: dict[str, str | None] = Field(
        description="the eleven invoice fields (`invoice_code` ... `seller_tax_id`), null when absent; "
        "dates `YYYY-MM-DD`, money as two-decimal strings"
    )
    line_items: list[LineItem]
    remarks: str | None
    agent_issued: bool = Field(description="代开: issued by the tax bureau on the seller's behalf")
    not_for_reimbursement: bool = Field(
        default=False, description="a copy printed 此联不作报销、扣税凭证使用: not valid for reimbursement"
    )
    extras: dict[str, str] = Field(
        default_factory=dict, description="values beyond the eleven fields (taxi: `times`, `distance_km`)"
    )
    confidence: dict[str, float] = Field(description="0..1 per field found")
    field_sources: dict[str, str] = Field(
        description="per field: `qr`, `ocr`, `pdf_text`, `ofd_xml`, `xml`, or `derived` (computed from "
        "other fields, never evidence for them)"
    )
    needs_review: bool
    review_reasons: list[ReviewReason]
    pages: list[int] = Field(default_factory=list, description="only for multi-page files: its pages")


class DocumentError(Schema):
    code: str
    message: str | None


class Document(Schema):
    id: int
    filename: str
    kind: str = Field(description="`image`, `pdf`, `ofd` or `xml`")
    size: int = Field(description="bytes")
    sha256: str
    status: str = Field(description="`queued`, `processing`, `done` or `failed`")
    created_at: DateTime
    processed_at: DateTime | None
    results: list[Extraction] = Field(description="one per invoice found; empty until `done`")
    error: DocumentError | SkipJsonSchema[None] = Field(default=None, description="only when reading failed")


class DocumentList(Schema):
    """The caller's latest uploads (``results`` left empty here: read one document for them)."""

    items: list[Document]


class UploadedDocument(Schema):
    id: int
    status: str
    filename: str
    kind: str


class DocumentUpload(Schema):
    """Accepted: the files are read in the background; poll ``GET /documents/{id}``."""

    documents: list[UploadedDocument]


# --- claims --------------------------------------------------------------------------------


class Submitter(Schema):
    id: int
    display_name: str | None


class RiskSummary(Schema):
    score: int | None = Field(description="0..100 once submitted, null for a draft")
    decision: str | None = Field(description="what the score decided, e.g. `pass`, `finance_review`")


class ClaimSummary(Schema):
    id: int
    number: str | None = Field(
        description="e.g. `BX...` (claims), `JK...` (advances), `SQ...` (pre-approvals)"
    )
    kind: str = Field(
        description="`expense` (a claim), `advance` (借款 request) or `pre_approval` (事前申请)"
    )
    status: str = Field(
        description="`draft`, `submitted`, `returned`, `withdrawn`, `rejected`, `approved` or `paid`"
    )
    purpose: str
    total: Money
    currency: str
    submitter: Submitter
    department_id: int | None
    risk: RiskSummary
    created_at: DateTime
    submitted_at: DateTime | None
    decided_at: DateTime | None
    paid_at: DateTime | None
    version: int = Field(description="send back on edits and actions; a stale one answers 409")


class ClaimsPage(Schema):
    items: list[ClaimSummary]
    next_cursor: int | None = Field(description="pass as `cursor` for the next page; null on the last")


class Finding(Schema):
    """One thing the rules noticed."""

    code: str = Field(description="stable, e.g. `duplicate_invoice`, `over_cap`, `over_budget`")
    severity: str = Field(description="`info`, `warning`, `error` or `block` (the claim cannot go on)")
    message: str
    item: int | None = Field(description="the item's index, null for the claim as a whole")
    fields: list[str] = Field(
        default_factory=list, description="invoice fields concerned (absent on `over_budget`)"
    )
    points: int | SkipJsonSchema[None] = Field(
        default=None, description="what it added to the risk score (absent on `over_budget`)"
    )
    params: dict[str, str] = Field(
        default_factory=dict,
        description="the figures the finding rests on (e.g. `amount`, `cap`, `over`): the app words "
        "each code in the reader's language with them; `message` is the same in English",
    )


class ClaimRisk(RiskSummary):
    findings: list[Finding]


class ClaimCheck(Schema):
    """A dry run of submission: what the rules would find; nothing is changed."""

    score: int
    decision: str
    findings: list[Finding]
    blocking: list[Finding] = Field(
        default_factory=list,
        description="when `decision` is `block`: the findings that stop it (submission answers "
        "422 `claim_blocked` with them until they are cleared)",
    )


class DeletedClaim(Schema):
    """A draft that was deleted."""

    id: int
    number: str | None
    deleted: bool


class Correction(Schema):
    """A submitter's change to a value read from the invoice, kept beside the value read."""

    field: str
    old: str | None = Field(description="the value read")
    new: str | None = Field(description="the value the submitter typed")
    source: str | None = Field(default=None, description="where the value read came from (`qr`, `ocr`, ...)")
    applied: bool = Field(
        default=True,
        description="false when the value was read from the invoice itself (e-invoice file, QR code): "
        "the claim keeps the value read and finance decides",
    )


class ItemInvoice(Schema):
    """The invoice an item rests on, as read, with the submitter's corrections applied."""

    fields: dict[str, str | None]
    document_type: str | None
    needs_review: bool
    review_reasons: list[ReviewReason]
    line_items: list[LineItem]
    field_sources: dict[str, str] = Field(
        default_factory=dict, description="per field, where the value read came from"
    )
    not_for_reimbursement: bool = Field(
        default=False, description="a copy printed 此联不作报销、扣税凭证使用: not valid for reimbursement"
    )


class Conversion(Schema):
    """How an item's amount as spent became company currency (rate 1, source `identity`, when
    it was spent in the company currency)."""

    original_amount: Money
    currency: str = Field(description="ISO 4217 code of the amount as spent")
    rate: str = Field(description="1 unit of `currency` in the company currency, as a decimal string")
    rate_date: Date
    source: str | None = Field(description="where the rate came from (the rate table's `source`)")
    converted_amount: Money = Field(description="half-up to the cent; what totals, budgets and payouts count")


class ForeignDocument(Schema):
    """A receipt or invoice from abroad, typed by the submitter (not a fapiao)."""

    kind: str = Field(description="`hotel_folio`, `tax_invoice` or `receipt`")
    issuer: str
    number: str | None
    issue_date: Date
    country: str | None


class Ticket(Schema):
    """A passenger ticket's facts for input VAT."""

    transport: str | None = Field(default=None, description="`air`, `train`, `road` or `water`")
    passenger_name: str | None = None
    passenger_is_employee: bool | None = None
    fare: Money | None = None
    fuel_surcharge: Money | None = None


class ItemSplit(Schema):
    dimension: str = Field(description="`cost_centre` or `project`")
    code: str = Field(description="a cost centre's or project's code (master data)")
    amount: Money = Field(
        description="the share's amount (by percent: rounded, the last share takes the rest)"
    )
    percent: str | None = Field(description="the percent as sent, when the share was by percent")


class ClaimItem(Schema):
    id: int
    position: int
    category: str
    amount: Money = Field(description="in the company currency (the claim's `currency`)")
    currency: str = Field(description="the currency the item was spent in (ISO 4217)")
    original_amount: Money | None = Field(default=None, description="the amount as spent, in `currency`")
    conversion: Conversion | None = None
    foreign_document: ForeignDocument | None = None
    ticket: Ticket | None = None
    expense_date: Date
    description: str
    document_id: int | None
    result_index: int | None = Field(description="which invoice of the document")
    invoice: ItemInvoice | None = Field(description="null for items without invoice")
    corrections: list[Correction]
    invoice_key: str | None = Field(description="identifies the invoice across claims (duplicates)")
    no_invoice_kind: str | None = Field(description="`per_diem` or `mileage` when there is no invoice")
    no_invoice_reason: str | None
    attendees: int | None
    nights: int | None
    city_tier: int | None
    splits: list[ItemSplit] = Field(description="the item's shares on cost centres and projects")
    allowance: dict[str, Any] | None = Field(
        description="a computed allowance: `type` per_diem (`city_tier`, `days`, `rate`) or mileage "
        "(`distance_km`, `rate`); the amount is rate x days or km"
    )
    attachments: list[int] = Field(description="ids of documents uploaded with kind=attachment")


class RouteTask(Schema):
    id: str = Field(description="the `task_id` of actions")
    assignee: str | None = Field(description="a user id")
    status: str | None
    acted_by: str | None
    acted_at: DateTime | None
    comment: str | None


class RouteNode(Schema):
    id: str | None
    name: str | None
    kind: str | None
    status: str | None
    assignees: list[str] = Field(description="user ids")
    tasks: list[RouteTask]


class RouteFlow(Schema):
    id: str | None
    version: int | None


class Route(Schema):
    """The approval route planned at submission, with each step's people and state."""

    status: str | None
    flow: RouteFlow
    nodes: list[RouteNode]


class TimelineEntry(Schema):
    """One entry of the claim's hash-chained audit trail."""

    seq: int
    at: DateTime
    actor: str
    action: str
    comment: str
    state_before: str
    state_after: str
    hash: str


class Claim(ClaimSummary):
    trip_start: Date | None
    trip_end: Date | None
    cost_centre: str | None
    claim_type: str = Field(description="e.g. `expense`, `travel`, `entertainment`: selects the flow")
    items: list[ClaimItem]
    risk: ClaimRisk
    route: Route | None = Field(description="null until submitted")
    timeline: list[TimelineEntry]
    payout_reference: str | None = Field(description="payroll's reference, once paid")
    hold: Hold | None = Field(
        default=None,
        description="set while the claim is stopped for a finance decision; finance answers with "
        "the `release` or `decline` action",
    )
    pre_approval_id: int | None = Field(description="the approved pre-approval the claim takes over")
    advance_offset: Money = Field(
        description="outstanding cash advances offset against the claim at its final approval"
    )
    net_payable: Money = Field(description="what payroll pays: total less the advance offset")


class HoldReason(Schema):
    code: str = Field(description="the finding code that stopped the claim")
    item: int | None = Field(description="the item's index, or null for the whole claim")
    message: str


class Hold(Schema):
    since: DateTime
    reasons: list[HoldReason]


class HeldClaim(ClaimSummary):
    hold: Hold


class HeldClaimList(Schema):
    items: list[HeldClaim]


class InboxItem(Schema):
    task_id: str = Field(description="pass as `task_id` to `POST /claims/{id}/actions`")
    node: str = Field(description="the name of the step waiting for the caller")
    node_id: str = Field(
        description="the step's id in the flow (the app names shipped steps in the reader's language)"
    )
    claim: ClaimSummary


class InboxPage(Schema):
    items: list[InboxItem]
    next_cursor: str | None = Field(description="opaque; pass as `cursor`; null on the last page")
    total: int = Field(description="tasks in the whole inbox, not just this page")


class HomeStepHolder(Schema):
    id: int = Field(description="a user id")
    display_name: str


class HomeStep(Schema):
    """An open step of one of my claims and who holds it."""

    node: str = Field(description="the step's name in the flow")
    node_id: str = Field(description="the step's id (the app names shipped steps in the reader's language)")
    people: list[HomeStepHolder]


class HomeClaim(Schema):
    claim: ClaimSummary
    steps: list[HomeStep] = Field(description="where it waits; empty when it waits for me (returned)")


class HomeWaiting(Schema):
    """Claims waiting for my decision, each counted once."""

    count: int
    amount: Money = Field(description="their sum, in the company currency")
    oldest: DateTime | None = Field(description="when the longest-waiting one was submitted")


class Home(Schema):
    """The home screen: my claims in flight and where each waits, and what waits for me."""

    in_flight: list[HomeClaim] = Field(description="my latest claims in approval or returned, newest first")
    waiting: HomeWaiting


# --- budget --------------------------------------------------------------------------------


class BudgetDepartment(Schema):
    id: int | None
    name: str | None


class BudgetLine(Schema):
    """One budget (department x category x period) and what this claim takes from it."""

    budget_id: int
    department: str | None = Field(
        default=None, description="whose budget: the claim's department or one above it"
    )
    category: str = Field(description="a category, or `*` for everything without its own budget")
    period: str = Field(description="`month`, `quarter` or `year`")
    start: Date
    end: Date = Field(description="inclusive")
    plan: Money
    used: Money = Field(description="spent by other claims (approved)")
    reserved: Money = Field(description="held by other claims in approval")
    claim: Money = Field(description="what this claim draws")
    left_before: Money
    left_after: Money
    over_by: Money = Field(description="how much of this claim the line cannot cover")
    exceeds: bool
    held: str | None = Field(description="`reserved` / `consumed` when this claim's amount is booked")


class ClaimBudget(Schema):
    claim_id: int
    department: BudgetDepartment
    lines: list[BudgetLine]
    unbudgeted: Money = Field(description="items that fall into no budget of the department")
    exceeds: bool
    over_budget_action: str = Field(
        description="the policy's answer to exceeding: `block`, `add_approver`, `warn`"
    )


# --- payouts -------------------------------------------------------------------------------


class SplitTotal(Schema):
    """A claim's money on one cost centre or project (its split items added up)."""

    dimension: str = Field(description="`cost_centre` or `project`")
    code: str
    amount: Money


class Payout(Schema):
    """An approved claim waiting to be paid, with whom and where to pay (the account in full:
    this is payroll's pull)."""

    claim_id: int
    number: str | None
    employee_number: str | None
    payee_id: int
    payee: str = Field(description="the payee name on the account, else the person's name")
    bank_name: str | None
    bank_branch: str | None
    bank_account: str | None = Field(description="the full account number (payroll only)")
    department: str | None
    purpose: str
    total: Money
    currency: str
    approved_at: DateTime | None
    splits: list[SplitTotal]
    advance_offset: Money = Field(description="outstanding advances offset against the claim")
    payable: Money = Field(description="what to pay: total less the advance offset")


class PayoutsPage(Schema):
    items: list[Payout]
    next_cursor: int | None = Field(description="pass as `cursor`; null on the last page")


class Paid(Schema):
    """The claim as paid (the same answer when the call is repeated)."""

    claim_id: int
    number: str | None
    status: str = Field(description="`paid`")
    paid_at: DateTime | None
    reference: str | None = Field(description="payroll's reference, as sent")
    paid_by: str | None = Field(description="who marked it paid (a user id or an API key)")


class PaidClaim(Schema):
    """A paid claim for reconciliation: what, when, which reference, by whom (account masked)."""

    claim_id: int
    number: str | None
    employee_number: str | None
    payee_id: int
    payee: str
    bank_name: str | None
    bank_account: str | None = Field(description="masked, e.g. `**** **** 1234`")
    department: str | None
    total: Money
    currency: str
    approved_at: DateTime | None
    paid_at: DateTime | None
    reference: str | None
    paid_by: str | None


class PaidPage(Schema):
    items: list[PaidClaim]
    next_cursor: int | None = Field(description="pass as `cursor`; null on the last page")


class PersonPayroll(Schema):
    """A person's payroll data as every screen but payroll's shows it: the account masked."""

    user_id: int
    employee_number: str | None
    payee_name: str | None
    bank_name: str | None
    bank_branch: str | None
    bank_account: str | None = Field(description="masked, e.g. `**** **** 1234`")


# --- admin ---------------------------------------------------------------------------------


class MasterDataEntry(Schema):
    """A cost centre or a project."""

    id: int
    code: str
    name: str
    active: bool = Field(description="false: deactivated, cannot be chosen for new claims")
    department_id: int | SkipJsonSchema[None] = Field(default=None, description="cost centres only")
    owner_user_id: int | SkipJsonSchema[None] = Field(default=None, description="cost centres only")
    deleted: bool | SkipJsonSchema[None] = Field(
        default=None, description="on delete: true if removed, false if deactivated (it is used)"
    )


class MasterDataList(Schema):
    items: list[MasterDataEntry]


class ClaimTypes(Schema):
    """Claim type -> the flow its new claims run."""

    types: dict[str, str]


class PolicyText(Schema):
    version: int = Field(description="the stored version; 0 is the shipped default")
    text: str = Field(description="the policy document (YAML)")


class PolicySaved(Schema):
    version: int


class FlowVersions(Schema):
    id: str
    versions: list[int]


class FlowList(Schema):
    items: list[FlowVersions]


class DiagramApprover(Schema):
    type: str
    levels: int | None
    role: str | None
    users: list[str]


class DiagramSla(Schema):
    remind_after_hours: float | None
    escalate_after_hours: float | None
    action: str


class DiagramClause(Schema):
    name: str = Field(description="e.g. `amount_gt`, `risk`, `categories`")
    values: list[str]


class DiagramCondition(Schema):
    all: list[DiagramClause] = Field(description="every clause must hold")
    any: list[DiagramCondition] = Field(description="alternatives: one of them must hold")


class DiagramNode(Schema):
    id: str
    name: str
    kind: str
    when: str | None = Field(description="the node's condition as the flow file spells it")
    conditions: DiagramCondition | None = Field(
        default=None, description="the same condition as data, for the app to word in the reader's language"
    )
    approvers: list[DiagramApprover]
    sla: DiagramSla | None
    branches: list[list[DiagramNode]]


class FlowDiagram(Schema):
    id: str
    version: int
    name: str
    nodes: list[DiagramNode]


class FlowText(Schema):
    text: str
    diagram: FlowDiagram


class FlowSaved(Schema):
    id: str
    version: int
    diagram: FlowDiagram


class Budget(Schema):
    id: int
    department_id: int
    category: str = Field(description="a category, or `*` for the department's total")
    period: str = Field(description="`month`, `quarter` or `year`")
    start: Date
    end: Date = Field(description="inclusive")
    amount: Money
    committed: Money = Field(description="reserved by claims in approval")
    spent: Money
    available: Money


class BudgetList(Schema):
    items: list[Budget]


class AdminUser(Schema):
    id: int
    username: str
    display_name: str
    email: str | None
    roles: list[str]
    department_id: int | None
    manager_id: int | None
    rank: int
    active: bool


class AdminUserList(Schema):
    items: list[AdminUser]


class Delegation(Schema):
    id: int
    user_id: int
    delegate_id: int
    starts_on: Date
    ends_on: Date


class DelegationList(Schema):
    items: list[Delegation]


class RevokedDelegation(Delegation):
    revoked: bool


class HandoverRule(Schema):
    mode: str = Field(description="`manager` (up the management line first) or `fallback`")
    fallbacks: dict[str, int] = Field(description="role (or `*`) -> the user who takes a leaver's work")


class Controls(Schema):
    handover: HandoverRule
    budget_consume_at: str = Field(description="`approval` or `payment`")


class BudgetConsumption(Schema):
    budget_consume_at: str


class Reassigned(Schema):
    claim_id: int
    task_id: str
    to_user_id: int
    status: str


class MovedTask(Schema):
    claim_id: int
    to: int


class HandOver(Schema):
    moved: list[MovedTask]
    stranded: list[int] = Field(description="claims whose task nobody could take")
    candidates: list[int]


class ApiKey(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    roles: list[str]
    revoked: bool
    created_at: DateTime
    last_used_at: DateTime | None
    expires_at: DateTime | None
    revoked_at: DateTime | None
    revoked_by: str | None


class ApiKeyList(Schema):
    items: list[ApiKey]
    scopes: list[str] = Field(description="every scope a key may carry")


class ApiKeyCreated(ApiKey):
    key: str = Field(description="the secret: shown once, never again")


class AuditPublicKey(Schema):
    key_id: str
    public_key: str = Field(description="base64 of the raw Ed25519 public key")
    algorithm: str


class WorkApp(Schema):
    id: str
    label: str


class WorkAppList(Schema):
    platforms: list[WorkApp]


# --- webhooks ------------------------------------------------------------------------------


class WebhookCreated(Schema):
    id: int
    url: str
    events: list[str]
    secret: str = Field(description="the signing secret: shown once, store it now")


class WebhookEndpoint(Schema):
    id: int
    url: str
    events: list[str]
    active: bool


class WebhookEndpointList(Schema):
    items: list[WebhookEndpoint]


class WebhookDelivery(Schema):
    id: int
    endpoint_id: int
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: DateTime
    delivered_at: DateTime | None


class WebhookDeliveryList(Schema):
    items: list[WebhookDelivery]


# --- verification --------------------------------------------------------------------------


class InvoiceCheck(Schema):
    """The tax bureau's check of one invoice."""

    invoice_key: str
    item_id: int | None
    state: str = Field(description="`pending`, `done` or `gave_up`")
    status: str | None = Field(description="the answer, e.g. `valid`, `voided`, `not_found`, `unverified`")
    reason: str | None
    attempts: int
    next_check_at: DateTime | None
    answer: dict[str, Any] | None = Field(description="the provider's answer as stored")


class ItemCheck(InvoiceCheck):
    position: int


class ClaimVerification(Schema):
    items: list[ItemCheck]


# --- reports -------------------------------------------------------------------------------


class Point(Schema):
    """One point of a chart series."""

    period: str = Field(description="`YYYY-MM`, or `all` / `now`")
    key: str = Field(description="the department, category, step, finding code or state")
    value: str | int = Field(description="money or hours as a decimal string, or a count")
    count: int | SkipJsonSchema[None] = Field(default=None, description="how many went into `value`")
    p90: str | SkipJsonSchema[None] = Field(
        default=None, description="payment cycle: the 90th percentile in hours (`value` is the median)"
    )
    plan: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: the budget")
    committed: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: reserved")
    spent: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: spent")


class Series(Schema):
    series: list[Point]


# --- health --------------------------------------------------------------------------------


class Health(Schema):
    status: str


# --- currencies and vouchers ---------------------------------------------------------------


class FxRate(Schema):
    currency: str = Field(description="ISO 4217 code of the foreign currency")
    base: str = Field(description="the company currency the rate converts into")
    rate_date: Date
    rate: str = Field(description="1 unit of `currency` in `base`, as a decimal string")
    source: str
    created_by: str
    created_at: DateTime


class FxRateList(Schema):
    items: list[FxRate]


class FxRatesSaved(Schema):
    saved: int = Field(description="how many rates were stored (each a new row; the newest counts)")


class GlMappingText(Schema):
    version: int = Field(description="the stored version; 0 is the shipped default")
    text: str = Field(description="the GL mapping document (YAML)")


class GlMappingSaved(Schema):
    version: int


class VoucherLine(Schema):
    kind: str = Field(
        description="a claim's: `expense`, `input_vat`, `advance_offset`, `payable`; "
        "an advance paid out: `advance_paid` (the receivable) and `bank`"
    )
    account_code: str
    account_name: str
    summary: str = Field(description="摘要")
    debit: Money
    credit: Money
    department: int | None
    cost_centre: str | None
    project: str | None
    items: list[int] = Field(description="positions of the claim items the line adds up")


class Voucher(Schema):
    number: str = Field(description="stable: `<word>-<YYYY-MM>-<seq>`, e.g. `记-2026-12-0001`")
    word: str = Field(description="凭证字")
    seq: int = Field(description="凭证号 within the period")
    period: str = Field(description="YYYY-MM")
    date: Date
    claim_id: int
    claim_number: str
    payee: str | None
    currency: str
    total: Money
    debits: Money
    credits: Money
    balanced: bool
    mapping_version: int = Field(description="the GL mapping version the voucher was made with")
    lines: list[VoucherLine]


class VoucherList(Schema):
    items: list[Voucher]


# --- cash advances and pre-approvals ------------------------------------------------------------


class Advance(Schema):
    """A cash-advance request (借款), and once paid what is still outstanding."""

    id: int = Field(description="the request's id: act on it like a claim (`/claims/{id}/actions`)")
    number: str | None
    status: str
    purpose: str
    amount: Money
    currency: str
    submitter_id: int
    paid_at: DateTime | None
    reference: str | None = Field(description="the payment's reference, once paid")
    outstanding: Money | None = Field(description="null until paid out")


class AdvanceMovement(Schema):
    kind: str = Field(description="`offset` (by a claim at its approval) or `repayment` (cash returned)")
    claim_id: int | None
    claim_number: str | None
    amount: Money
    reference: str | None
    actor: str
    at: DateTime


class PaidAdvance(Schema):
    request_id: int
    number: str | None
    amount: Money
    outstanding: Money
    currency: str
    paid_at: DateTime
    reference: str | None
    movements: list[AdvanceMovement]


class AdvanceRequestLine(Schema):
    id: int
    number: str | None
    status: str
    amount: Money
    purpose: str


class AdvanceBalance(Schema):
    """What a person owes on advances: paid advances with their movements, open requests."""

    person_id: int
    display_name: str | None
    outstanding: Money
    advances: list[PaidAdvance]
    requests: list[AdvanceRequestLine]


class AdvanceBalanceLine(Schema):
    person_id: int
    display_name: str | None
    advanced: Money
    outstanding: Money


class AdvanceBalances(Schema):
    items: list[AdvanceBalanceLine]
