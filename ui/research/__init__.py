"""The research GUI: the account window's Research tab and the research queue of a target list."""
