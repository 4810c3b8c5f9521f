"""The messaging & outreach GUI (issue 7): pain hypotheses and the message map on the account window, the
composer, template editor, sequences, the Today view and the quick-log dialog."""
