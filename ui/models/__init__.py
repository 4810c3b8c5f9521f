"""Thin QAbstractItemModel adapters over domain queries (each checked with qtmodeltester)."""
