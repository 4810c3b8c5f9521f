"""The Qt presentation layer. Only ``bdr_desk.app`` imports it."""
