"""Approval routing: declarative flows, the pure engine, the audit chain and notifications.

How the service layer uses it:

1. ``flows.load_flow(text, params=...)`` / ``flows.load_builtin("default")`` validate a definition;
   store the text per (id, version) and keep validated ``Flow`` values in a ``flows.FlowCatalog``.
2. At submission: ``engine.new_instance(flow, ClaimFacts(...), org)`` then
   ``engine.advance(instance, Submit(submitter), flow, now, org=org)``.
3. For every action: load the instance (``serde.instance_from_dict``) and its flow version,
   ``advance(...)``, store ``serde.instance_to_dict(new)`` guarded by ``seq`` (optimistic lock),
   chain the ``AuditRecord`` with ``audit.chain`` and store the entry, then carry out the other
   effects after commit (tasks/inbox rows, timers, notifications, the claim's final status).
4. Timers: persist ``ScheduleTimer`` (claim, timer id, due), drop on ``CancelTimer``; a periodic job
   sends ``TimerTick(timer_id)`` for due ones. Late or repeated ticks are ignored by the engine.
"""
