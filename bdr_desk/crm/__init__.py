"""CRM sync (HubSpot, Salesforce): external references, the outbox, conflicts and the sync journal."""
