"""Parts of the KPI dashboard page (``ui.pages.dashboard_page``): cards, charts, breakdown tables and the
drill-down dialog."""
