from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the product: `python manage.py load_demo`."""

    name = "demo"
    verbose_name = "Demo"
