"""The `Idempotency-Key` header of retry-safe writes; what it does is
`app.services.idempotency.run_write`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
           description="Retry-safe writes: the same key and body return the first answer."),
]
