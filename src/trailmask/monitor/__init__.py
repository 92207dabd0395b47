"""Monitoring (L2): scheduled watches over the store and their notification destinations."""
