"""Expense policy and invoice-validation rules: pure functions over values (no session, clock or settings).

What the service layer calls (values from ``expenses.domain``; ``today``/``now`` passed in):

* ``claim.evaluate_claim(claim, entities=, policy=, calendar=, today=, history=, extra=)`` ->
  ``RiskAssessment`` (score 0..100, decision pass/finance_review/block, scored findings).
  ``check_claim`` gives the findings alone. ``extra`` carries the findings that need stored
  state: ``duplicates.duplicate_finding`` for keys already on file, budget findings,
  ``expenses.verification.rules.findings_from_answer``.
* ``duplicates.invoice_key(facts)`` -> the string to keep under a UNIQUE index;
  ``duplicates.dhash(image)`` / ``hamming`` / ``near_duplicates`` for photos.
* ``budget.reserve(budget, amount, policy.over_budget)`` on submit -> ``BudgetOutcome``
  (new budget, findings, ``reserved``); ``budget.consume(budget, reserved, approved)`` on final
  approval; ``budget.release(budget, reserved)`` on rejection/withdrawal.
* ``lifecycle.move(event)`` for the invoice card-pack states (which state an event moves to which).
* ``facts.facts_from_extraction(extraction, image_hash)`` -> ``InvoiceFacts`` from the reader.
* ``policy.load_policy_text(text)`` validates an admin's YAML/JSON (``PolicyError.problems``
  lists every problem with its path); ``expenses.policy.default_policy()`` and
  ``china_calendar()`` load the shipped data.
* ``scoring.assess(findings, policy)`` scores any list of findings.
"""
