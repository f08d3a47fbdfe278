"""The write path: one module per concern, one database transaction per operation."""
