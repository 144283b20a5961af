"""Helpers for the input/output schemas every context declares (pydantic)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    create_model,
    field_validator,
)

from supplymesh.platform.types import (
    MAX_INT,
    MONEY_PLACES,
    QUANTITY_PLACES,
    PrecisionError,
    plain,
    to_decimal,
)


def _exact(places: int) -> Any:
    def parse(value: Any) -> Decimal:
        if isinstance(value, float):
            value = repr(value)  # JSON numbers: take the literal the sender wrote
        try:
            return plain(to_decimal(value, places))
        except PrecisionError as exc:
            raise ValueError(str(exc)) from exc

    return parse


#: A quantity: exact decimal, at most 6 places, sent and received as a string.
Qty = Annotated[
    Decimal, BeforeValidator(_exact(QUANTITY_PLACES)), PlainSerializer(str, return_type=str)
]
#: An amount of money: exact decimal, at most 4 places, as a string.
Amount = Annotated[
    Decimal, BeforeValidator(_exact(MONEY_PLACES)), PlainSerializer(str, return_type=str)
]
NonNegQty = Annotated[Qty, Field(ge=0)]
PosQty = Annotated[Qty, Field(gt=0)]
NonNegAmount = Annotated[Amount, Field(ge=0)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Input(BaseModel):
    """Base of input schemas: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _fits_in_bigint(cls, value: Any) -> Any:
        """Integers beyond 64 bits cannot be ids or counts in any table: refuse them here."""
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise ValueError(f"{value} is out of range")
        return value


class Output(BaseModel):
    """Base of output schemas, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


def partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The same fields as `model`, all optional, plus `version` for optimistic locking."""
    fields: dict[str, Any] = {
        fname: (Optional[info.annotation], Field(default=None, description=info.description))  # noqa: UP045
        for fname, info in model.model_fields.items()
    }
    fields["version"] = (
        int | None,
        Field(default=None, description="the version the change is based on"),
    )
    return create_model(name, __base__=Input, **fields)
