"""The vocabulary of a trusted company profile (issue 20): compliance claim kinds and their
states, field visibility levels and defence experience. Shared by the matcher's filters and
the app's profile service, so both name the same values."""

from __future__ import annotations

from typing import Final, Literal

Level = Literal["public", "defence", "hidden"]
LEVELS: Final[tuple[str, ...]] = ("public", "defence", "hidden")
FieldName = Literal["description", "description_en", "activity", "website", "employees",
                    "sbi_code", "municipality", "capabilities", "compliance",
                    "defence_experience"]
#: The fields a company can restrict; name and KvK number are always public (a supplier
#: nobody may name cannot be matched).
FIELDS: Final[tuple[str, ...]] = ("description", "description_en", "activity", "website",
                                  "employees", "sbi_code", "municipality", "capabilities",
                                  "compliance", "defence_experience")
ClaimKind = Literal["iso9001", "aqap2110", "as9100", "ncage", "abdo_abro", "security_officer"]
#: kind -> (Dutch label, English label)
CLAIM_KINDS: Final[dict[str, tuple[str, str]]] = {
    "iso9001": ("ISO 9001", "ISO 9001"),
    "aqap2110": ("AQAP 2110", "AQAP 2110"),
    "as9100": ("AS9100", "AS9100"),
    "ncage": ("NCAGE-code", "NCAGE code"),
    "abdo_abro": ("ABDO/ABRO-ervaring", "ABDO/ABRO experience"),
    "security_officer": ("Beveiligingsfunctionaris", "Security officer"),
}
ClaimState = Literal["self_declared", "evidence_uploaded", "verified"]
CLAIM_STATES: Final[tuple[str, ...]] = ("self_declared", "evidence_uploaded", "verified")
DefenceExperience = Literal["none", "indirect", "direct"]
#: Filter values of defence experience: the three, and `unknown` for companies without one.
DefenceExperienceFilter = Literal["none", "indirect", "direct", "unknown"]
