from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top of the stack: each role's home page, the navigation, the demo data.

    It composes every area's reads, so it sits above them all (docs/ARCHITECTURE.md).
    """

    name = "home"
    verbose_name = "Home"
