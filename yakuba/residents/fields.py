from typing import TYPE_CHECKING, Any

from django.db import models

from yakuba.core.era import PartialDate

if TYPE_CHECKING:
    _Base = models.CharField[PartialDate | str, PartialDate]
    _NullableBase = models.CharField[PartialDate | str | None, PartialDate | None]
else:
    _Base = _NullableBase = models.CharField


class _PartialDateColumn:
    """Stores a ``PartialDate`` as sortable text (``1950-04-00``, ``2023-00-00~``)."""

    description = "A date that may be partly unknown (不詳)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> PartialDate | None:
        if value is None or value == "":
            return None
        return PartialDate.from_db(value)

    def to_python(self, value: Any) -> PartialDate | None:
        if value is None or isinstance(value, PartialDate):
            return value
        if value == "":
            return None
        return PartialDate.from_db(str(value))

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)  # type: ignore[attr-defined]
        return value.to_db() if isinstance(value, PartialDate) else str(value or "")

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, PartialDate):
            return value.to_db()
        return str(value)


class PartialDateField(_PartialDateColumn, _Base):  # type: ignore[misc]
    pass


class NullablePartialDateField(_PartialDateColumn, _NullableBase):  # type: ignore[misc]
    """The same column type, for items that may be empty (``null=True``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
