"""Page modules of the web shell; each exposes ``PAGES``, a `supplymesh.web.nav.PageSet`."""
