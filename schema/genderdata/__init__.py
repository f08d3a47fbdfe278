"""The gender-data domain of the API: frameworks, submissions and protected comparisons."""
