"""Memberships, invitations and the member directory (issue 16)."""
