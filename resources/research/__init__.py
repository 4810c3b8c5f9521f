"""Research data: the technology detection rules (technologies.json), the project's own."""
