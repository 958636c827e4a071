"""The mail outbox: every mail Paraat sends is an `(:OutboxMail)` node first, so a failed send
is retried and stays visible (status queued, sent, logged, failed) instead of being lost."""

from __future__ import annotations

OUTBOX_CREATE = """
CREATE (m:OutboxMail {id: $id, kind: $kind, to: $to, subject: $subject, body: $body,
                      status: 'queued', attempts: 0, created_at: datetime(),
                      next_attempt_at: datetime(), last_error: null, sent_at: null,
                      ref: $ref})
RETURN m.id AS id
"""

# After a try: sent/logged (done) or failed (the worker tries again after next_attempt_at
# until max_attempts).
OUTBOX_RESULT = """
MATCH (m:OutboxMail {id: $id})
SET m.status = $status, m.attempts = m.attempts + $tries, m.last_error = $error,
    m.sent_at = CASE WHEN $status IN ['sent', 'logged'] THEN datetime() ELSE m.sent_at END,
    m.next_attempt_at = datetime() + duration({seconds: $retry_seconds})
RETURN m.id AS id, m.status AS status, m.attempts AS attempts, m.last_error AS last_error
"""

OUTBOX_GET = """
MATCH (m:OutboxMail {id: $id})
RETURN m.id AS id, m.kind AS kind, m.to AS to, m.subject AS subject, m.body AS body,
       m.status AS status, m.attempts AS attempts, m.last_error AS last_error,
       toString(m.created_at) AS created_at, toString(m.sent_at) AS sent_at, m.ref AS ref
"""

# Claims the due mails (queued or failed, under max_attempts) by pushing next_attempt_at
# forward in the same statement, so two workers never send one mail twice at once.
OUTBOX_CLAIM_DUE = """
MATCH (m:OutboxMail) WHERE m.status IN ['queued', 'failed'] AND m.attempts < $max_attempts
  AND m.next_attempt_at <= datetime()
WITH m ORDER BY m.created_at LIMIT $limit
SET m.next_attempt_at = datetime() + duration({seconds: $lease_seconds})
RETURN m.id AS id, m.kind AS kind, m.to AS to, m.subject AS subject, m.body AS body,
       m.attempts AS attempts
"""

_FILTER = "($status IS NULL OR m.status = $status) AND ($kind IS NULL OR m.kind = $kind)"

OUTBOX_COUNT = "MATCH (m:OutboxMail) WHERE " + _FILTER + " RETURN count(m) AS total"

# Never the body: it can hold a one-time link.
OUTBOX_LIST = """
MATCH (m:OutboxMail) WHERE """ + _FILTER + """
RETURN m.id AS id, m.kind AS kind, m.to AS to, m.subject AS subject, m.status AS status,
       m.attempts AS attempts, m.last_error AS last_error,
       toString(m.created_at) AS created_at, toString(m.sent_at) AS sent_at
ORDER BY m.created_at DESC, m.id SKIP $offset LIMIT $limit
"""

# A sent mail's body holds a one-time link; once delivered it is not needed any more.
OUTBOX_FORGET_BODY = """
MATCH (m:OutboxMail {id: $id}) WHERE m.status IN ['sent', 'logged'] SET m.body = null
"""
