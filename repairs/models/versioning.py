"""What keeps two people from overwriting each other's work: optimistic locking of a ticket, and
the yearly counter of references, incremented under its row's lock."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from repairs.exceptions import TicketChanged


class ReferenceCounter(models.Model):
    """Last reference number handed out per year. Incremented under the row's write lock, so two
    declarations at once get two numbers; a rolled-back declaration leaves a gap, never a duplicate."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class OptimisticLockMixin(models.Model):
    """Every save of an existing row checks and bumps `version`: a save based on a stale read
    raises TicketChanged instead of overwriting someone else's change (state or any other field)."""

    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            super().save(*args, **kwargs)
        except TicketChanged:
            self.version -= 1
            raise

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, *args):
        read_version = self.version - 1
        updated = super()._do_update(
            base_qs.filter(version=read_version), using, pk_val, values, update_fields, forced_update, *args
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise TicketChanged(_("This ticket was just changed by someone else. Reload it and try again."))
        return updated
