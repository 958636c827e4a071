"""The rules the server checks on text, as JSON Schema patterns (issue 17).

The OpenAPI schema shows them, so a client knows what passes before it sends; the models check
the same rules in code (with messages people understand). Each pattern is written to mean
exactly what its check does, in Python's `re` and in the Rust/ECMA engines of schema tools:
explicit classes instead of `\\s`, control characters refused in the text as sent (before
whitespace is stripped), and "not blank" meaning a character `str_strip_whitespace` keeps.
"""

from __future__ import annotations

from matching.lexical import WORD_PATTERN

CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # tabs and newlines are fine
# What pydantic-core strips (Unicode White_Space); Python's isspace also counts \x1c-\x1f.
SPACE_CLASS = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_NOT_CONTROL = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT = f"[^{CONTROL_CLASS}]"
_SOLID = f"[^{CONTROL_CLASS}{SPACE_CLASS}]"
_BLANK = f"^[{_SPACE_NOT_CONTROL}]*$"

NOT_SPACE = f"[^{SPACE_CLASS}]"  # somewhere a character that stripping keeps
NO_CONTROL = f"^{_TEXT}*$"
NOT_BLANK = f"^{_TEXT}*{_SOLID}{_TEXT}*$"
WORDS = f"^{_TEXT}*{WORD_PATTERN}{_TEXT}*$"  # a word: two letters in a row

# The ontology's SHACL shapes (ontology/shapes.ttl), on the text as sent.
DESCRIPTION = f"^{_TEXT}*{_SOLID}{_TEXT}{{18,}}{_SOLID}{_TEXT}*$"  # >= 20 once stripped
_URL = f"[^{CONTROL_CLASS}{SPACE_CLASS}/?#@]"
WEBSITE = (f"{_BLANK}|^[{_SPACE_NOT_CONTROL}]*[hH][tT][tT][pP][sS]?://{_URL}+\\.{_URL}+"
           f"(?:/{_SOLID}*)?(?:[?#]{_SOLID}*)?[{_SPACE_NOT_CONTROL}]*$")
MUNICIPALITY = f"{_BLANK}|^{_TEXT}*[A-Za-z0-9]{_TEXT}*$"  # SHACL takes "É" too; the API not

# A date, or a date and time with an optional UTC offset (none: UTC). The offset is bounded by
# what Neo4j accepts (-18:00..+18:00; Python allows up to 24 h) and the date must exist (leap
# days included), so every time the pattern admits is one the server takes.
_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_LEAP_DAY = ("(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])"
             "|(?:0[48]|[2468][048]|[13579][26])00)-02-29")
_TIME = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"
_OFFSET = "(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00))"
INSTANT = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})(?:{_TIME}{_OFFSET}?)?$"
