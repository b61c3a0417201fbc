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
    message: str = Field(description="for people; may change")
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


class ClaimRisk(RiskSummary):
    findings: list[Finding]


class ClaimCheck(Schema):
    """A dry run of submission: what the rules would find; nothing is changed."""

    score: int
    decision: str
    findings: list[Finding]


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


class ClaimItem(Schema):
    id: int
    position: int
    category: str
    amount: Money
    currency: str
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
    items: list[ClaimItem]
    risk: ClaimRisk
    route: Route | None = Field(description="null until submitted")
    timeline: list[TimelineEntry]
    payout_reference: str | None = Field(description="payroll's reference, once paid")
    hold: dict[str, Any] | None = Field(
        default=None,
        description="set while the claim is stopped for a finance decision: `since` and `reasons` "
        "(finding codes); finance answers with the `release` or `decline` action",
    )
    pre_approval_id: int | None = Field(description="the approved pre-approval the claim takes over")
    advance_offset: Money = Field(
        description="outstanding cash advances offset against the claim at its final approval"
    )
    net_payable: Money = Field(description="what payroll pays: total less the advance offset")


class InboxItem(Schema):
    task_id: str = Field(description="pass as `task_id` to `POST /claims/{id}/actions`")
    node: str = Field(description="the name of the step waiting for the caller")
    claim: ClaimSummary


class InboxPage(Schema):
    items: list[InboxItem]
    next_cursor: str | None = Field(description="opaque; pass as `cursor`; null on the last page")
    total: int = Field(description="tasks in the whole inbox, not just this page")


# --- budget --------------------------------------------------------------------------------


class BudgetDepartment(Schema):
    id: int | None
    name: str | None


class BudgetLine(Schema):
    """One budget (department x category x period) and what this claim takes from it."""

    budget_id: int
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


class Payout(Schema):
    """An approved claim waiting to be paid."""

    claim_id: int
    number: str | None
    payee_id: int
    payee: str
    purpose: str
    total: Money
    currency: str
    approved_at: DateTime | None
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


# --- admin ---------------------------------------------------------------------------------


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


class DiagramNode(Schema):
    id: str
    name: str
    kind: str
    when: str | None = Field(description="the node's condition as the flow file spells it")
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
    plan: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: the budget")
    committed: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: reserved")
    spent: Money | SkipJsonSchema[None] = Field(default=None, description="budget burn: spent")


class Series(Schema):
    series: list[Point]


# --- health --------------------------------------------------------------------------------


class Health(Schema):
    status: str


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
