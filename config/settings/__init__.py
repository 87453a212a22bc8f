"""Settings entry point: DJANGO_ENV picks the profile (local by default, production, test)."""

import os

_profile = os.environ.get("DJANGO_ENV", "local")

if _profile == "production":
    from .production import *  # noqa: F403
elif _profile == "test":
    from .test import *  # noqa: F403
elif _profile == "local":
    from .base import *  # noqa: F403
else:
    raise RuntimeError(f"DJANGO_ENV={_profile!r}: expected local, test or production.")
