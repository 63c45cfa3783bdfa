"""Notifications (issue 26): what parents are told, in the app and by email (docs/notifications.md)."""
