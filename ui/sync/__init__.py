"""The Sync page's parts: connect cards, run panel, journal, conflict queue and the field-mapping editor."""
