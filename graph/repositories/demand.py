"""Demand questions: what was asked through `POST /match`, for the demand-pattern views."""

from __future__ import annotations

import logging

from neo4j import Record

from graph.queries import demand as demand_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class DemandRepository(Repository):
    def questions_page(self, since: str | None, until: str | None, limit: int, offset: int
                       ) -> tuple[int, list[Record]]:
        """Newest first, asked in [since, until) (None: open)."""
        return self._page(demand_q.DEMAND_QUESTIONS_COUNT, demand_q.DEMAND_QUESTIONS_LIST,
                          {"since": since, "until": until}, limit, offset)
