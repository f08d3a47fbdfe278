"""A person's own account: signing in and out, sessions, profile, data, closing."""
