from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        # Add "touched by this campaign" to the leads area's filters (it never imports us).
        from campaigns import lead_extensions

        lead_extensions.register()
