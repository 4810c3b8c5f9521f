"""BDR Desk: an account-research workstation for outbound BDRs and the marketers who arm them."""

__version__ = "0.1.0"
