"""Accounts domain: target accounts, lists, stakeholders, messaging, sequences, activities, research.

Qt-free (DESIGN.md floor 2): imports only ``bdr_desk.config``, ``db``, ``taxonomy``, ``jobs`` and ``users``.
"""
