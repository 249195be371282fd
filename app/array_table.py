"""Many rows as one derived table in a statement, bound as one array per column (`unnest`):
however many rows, the statement is the same, so SQLAlchemy compiles it once and keeps it (a
VALUES list is compiled again for every set of rows, and never kept)."""

from sqlalchemy import cast, column, func
from sqlalchemy.dialects.postgresql import ARRAY


def array_table(name: str, columns: dict[str, tuple[list, type]]):
    """The derived table `name` whose columns are `columns`: name → (values, SQL type)."""
    return (
        func.unnest(*(cast(values, ARRAY(kind)) for values, kind in columns.values()))
        .table_valued(*(column(key, kind) for key, (_, kind) in columns.items()))
        .render_derived(name=name)
    )
