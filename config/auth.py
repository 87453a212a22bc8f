from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

DEMO_USERNAME_PREFIX = "demo-"


class DemoAwareModelBackend(ModelBackend):
    """Django's backend, except that demo accounts cannot log in where demo data is not allowed.

    A production database restored from a demo, or seeded by mistake, must not open a door
    with a published password.
    """

    def user_can_authenticate(self, user) -> bool:
        if not settings.DEMO_DATA_ALLOWED and user.get_username().startswith(DEMO_USERNAME_PREFIX):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        # Every page reads the person's role, establishment and zone: with the user, in one query.
        user = get_user_model()._default_manager.select_related("profile__zone").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
