"""The audit trail: one event per write, in the writing transaction (graph/repositories/audit.py,
the admin's audit list)."""

from __future__ import annotations

# One event per write, in the writing transaction; before/after are JSON text.
AUDIT_RECORD = """
CREATE (a:AuditEvent {id: $id, at: datetime(), actor_id: $actor_id, actor_role: $actor_role,
                      action: $action, entity: $entity, entity_id: $entity_id,
                      kvk_number: $kvk_number, before: $before, after: $after})
"""

_AUDIT_FILTER = """
($entity IS NULL OR a.entity = $entity) AND ($entity_id IS NULL OR a.entity_id = $entity_id)
AND ($actor_id IS NULL OR a.actor_id = $actor_id)
"""

AUDIT_COUNT = "MATCH (a:AuditEvent) WHERE " + _AUDIT_FILTER + " RETURN count(a) AS total"

AUDIT_LIST = """
MATCH (a:AuditEvent) WHERE """ + _AUDIT_FILTER + """
RETURN a.id AS id, toString(a.at) AS at, a.actor_id AS actor_id, a.actor_role AS actor_role,
       a.action AS action, a.entity AS entity, a.entity_id AS entity_id,
       a.before AS before, a.after AS after
ORDER BY a.at DESC, a.id SKIP $offset LIMIT $limit
"""
