"""Orders. The core: `transitions`, `queries`, `drafts`, `provider`. Its rooms, which depend on
it and never the reverse: `pages/`, `sending/`, `sync/`, `live/` and `jobs/` (RQ entry points)."""
