"""Admin pages of rows that only the services write (the timeline, attachments, tickets, hand-overs,
notifications, the access log): shown, never added, edited or deleted there, so that each change
keeps going through the rules of its service."""


class ReadOnlyAdminMixin:
    # `obj` for the inlines' signature; a ModelAdmin's is called without it.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
