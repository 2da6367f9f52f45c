"""The static history site and its Atom feeds (issue 15): pages per service, incident, event and day, rendered
from the state database with the channel messages' own facts (facts/, render.py), written atomically and only
where they changed. ``bot.py site`` builds it; ``bot.py run`` refreshes it after each poll when
``[bot] site_dir`` is set."""

from outputs.site.build import (
    BuildReport,
    SiteError,
    SiteRefresher,
    SiteSettings,
    build_site,
    settings_for,
    site_refresher,
)

__all__ = ["BuildReport", "SiteError", "SiteRefresher", "SiteSettings", "build_site", "settings_for", "site_refresher"]
