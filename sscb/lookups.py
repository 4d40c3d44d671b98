"""Lookups the project adds to Django's (registered when the app is ready)."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerIn(In):
    """``__in`` on an integer column leaves out numbers the column cannot hold, as Django's own
    ``exact`` and comparisons do: no record has one, and SQLite would raise OverflowError for a
    key of 99999999999999999999 sent in a form's choice of records (a server error, not "Select
    a valid choice")."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
