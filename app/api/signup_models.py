"""Request types the sign-up and the loket without an account share: a KvK number, an e-mail
address and a mailed one-time code, each with the pattern the OpenAPI schema states."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.services.mail import EMAIL_PATTERN, valid_address
from app.services.signup import CODE, check_kvk
from core.errors import ValidationError

# Each is checked on the value as sent (a BeforeValidator, before the models strip
# whitespace), so what the schema's pattern refuses the server refuses too.


def _kvk(value: Any) -> Any:
    if isinstance(value, str):
        try:
            check_kvk(value if value == value.strip() else "x")
        except ValidationError as e:
            raise ValueError(str(e).removeprefix("kvk_number: ")) from e
    return value


def _email(value: Any) -> Any:
    if isinstance(value, str) and not valid_address(value):
        raise ValueError("not a plain e-mail address (local@domain.tld) / geen geldig e-mailadres")
    return value


def _code(value: Any) -> Any:
    if isinstance(value, str) and not CODE.fullmatch(value):
        raise ValueError("not a code from the mail / geen code uit de mail")
    return value


Kvk = Annotated[str, Field(json_schema_extra={"pattern": r"^[0-9]{8}$", "minLength": 8,
                                              "maxLength": 8},
                           description="KvK number, 8 digits."), BeforeValidator(_kvk)]
Email = Annotated[str, Field(json_schema_extra={"pattern": EMAIL_PATTERN, "maxLength": 254},
                             description="A plain address, local@domain.tld."),
                  BeforeValidator(_email)]
Code = Annotated[str, Field(json_schema_extra={"pattern": CODE.pattern},
                            description="The code from the mail."), BeforeValidator(_code)]


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code


