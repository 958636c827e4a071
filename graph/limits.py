"""Bounds on values that reach Neo4j, shared by every way in (API, importers, matcher).

Neo4j stores 64-bit integers: an unbounded integer from a client reaches the driver and fails
there with OverflowError (a 500, or a whole import lost). Each bound is also a rule of the API
schema and of the ontology's SHACL shapes, so a client learns it before it sends.
"""

from __future__ import annotations

MAX_EMPLOYEES = 10_000_000  # more than any company has; also pash:EmployeesFormat
