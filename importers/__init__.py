"""Applications that bring content in from elsewhere, over the write services and media."""
