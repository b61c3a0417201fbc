"""Expense policy and invoice-validation rules: pure functions over values (no session, clock or settings)."""
