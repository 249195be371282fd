"""Orders, in rooms by job. Here: the state machine (`transitions`), reading orders
(`queries`), building drafts (`drafts`) and the order service's client (`provider`). Around
them: `pages/` (the blueprint: dashboard, forms, buttons, conflicts), `sending/` (registering
an order, what a failed registration leads to, settling it by hand), `sync/` (the status
sync), `live/` (publishing committed changes, the pages' event streams) and `jobs/` (the RQ
entry points). The rooms depend on this core, never the other way round."""
