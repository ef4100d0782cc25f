"""Form fields that refuse ids no database column can hold (a 40-digit "id" is an overflow in
SQLite and an error in PostgreSQL, not a missing row): an invalid choice, like any other."""

from django import forms
from django.core.exceptions import ValidationError

ID_MAX = 2**63 - 1


def _fits(value) -> bool:
    text = str(value).strip()
    return not text.lstrip("-").isdigit() or abs(int(text)) <= ID_MAX


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _fits(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            values = list(value)
        except TypeError:
            values = [value]
        for item in values:
            if not _fits(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)
