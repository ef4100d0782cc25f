"""Everyone hears about their tickets: the notification outbox (ticket events, SLA alerts, pages,
answers to e-mail), its one sending path, the on-call rota, chat webhooks, each user's
notification level, and the record of e-mail received. A Django app of its own (label
`notifications`) inside the tickets layer: the ticket services call `notify` in their
transaction; nothing here imports the services."""
