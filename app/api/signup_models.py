"""Request types the sign-up and the loket without an account share: a KvK number, an e-mail
address and a mailed one-time code, each with the pattern the OpenAPI schema states."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.services.mail import EMAIL_PATTERN
from app.services.signup import CODE, check_kvk
from core.errors import ValidationError


def _kvk(value: str) -> str:
    try:
        return check_kvk(value)
    except ValidationError as e:
        raise ValueError(str(e).removeprefix("kvk_number: ")) from e


Kvk = Annotated[str, Field(min_length=8, max_length=8, json_schema_extra={"pattern": r"^[0-9]{8}$"},
                           description="KvK number, 8 digits."), AfterValidator(_kvk)]
Email = Annotated[str, Field(min_length=6, max_length=254, pattern=EMAIL_PATTERN,
                             description="A plain address, local@domain.tld.")]
Code = Annotated[str, Field(pattern=CODE.pattern, description="The code from the mail.")]


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code


