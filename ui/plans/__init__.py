"""The account-plan GUI: export a plan, snapshots and their diff, plan templates, list export."""
