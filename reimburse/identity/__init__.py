"""People and the organisation: users, departments, cost centres, legal entities, delegations,
and how callers prove who they are (passwords, bearer tokens, API keys)."""
