"""`column IN (values)` for a page's worth of values, as one bound value where the backend can.

A thousand separate parameters cost SQLAlchemy a compilation of each (the expanding IN renders
them anew per call) and the driver an adaptation each, and PostgreSQL a long plan; an array
(PostgreSQL) or a JSON list (SQLite) is one value, and the lookup stays an index probe per value.
MariaDB has neither and takes the list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY


def in_values(
    column: Any, values: Sequence[int] | Sequence[str], dialect: str
) -> ColumnElement[bool]:
    condition: ColumnElement[bool]
    if dialect == "postgresql":
        array = bindparam("in_values", list(values), type_=ARRAY(column.type))
        condition = column == any_(array)
    elif dialect == "sqlite":
        listed = func.json_each(bindparam("in_values", json.dumps(list(values))))
        condition = column.in_(select(listed.table_valued("value").c.value))
    else:
        condition = column.in_(values)
    return condition
