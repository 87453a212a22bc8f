"""What the campaign's use cases may refuse, and how each interface answers it: the desk shows
the message, the API answers `status` with `rule` naming the rule."""


class Refusal(Exception):
    """A use case refused: `rule` names which rule (for the API and tests), `message` says it in
    the person's words, `status` is the HTTP answer; `field` names the form field at fault."""

    status = 400

    def __init__(self, message: str, *, rule: str, field: str | None = None, **details):
        super().__init__(message)
        self.message, self.rule, self.field, self.details = message, rule, field, details


class NotVisible(Refusal):
    status = 404


class Forbidden(Refusal):
    status = 403


class Conflict(Refusal):
    status = 409


class Invalid(Refusal):
    status = 400


__all__ = ["Conflict", "Forbidden", "Invalid", "NotVisible", "Refusal"]
