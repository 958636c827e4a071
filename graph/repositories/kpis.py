"""Reads behind the supply gaps and the KPIs (issue 21): aggregates only, nothing personal
leaves here except ids the services drop for the policy role."""

from __future__ import annotations

import logging

from neo4j import Record

from graph.queries import monitor as monitor_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class KpiRepository(Repository):
    def demand_quality(self, since: str | None = None, until: str | None = None
                       ) -> list[Record]:
        return self._read(monitor_q.DEMAND_QUALITY, since=since, until=until)

    def registrations_per_month(self) -> list[Record]:
        return self._read(monitor_q.REGISTRATIONS_PER_MONTH)

    def verified_per_month(self) -> list[Record]:
        return self._read(monitor_q.VERIFIED_PER_MONTH)

    def loket_responses(self) -> list[Record]:
        return self._read(monitor_q.LOKET_RESPONSES)

    def introductions_per_stage(self) -> list[Record]:
        return self._read(monitor_q.INTRODUCTIONS_PER_STAGE)

    def introductions_per_month(self) -> list[Record]:
        return self._read(monitor_q.INTRODUCTIONS_PER_MONTH)
