"""The account pages, split by topic: signing in and registering (auth), the person's own account
and two-factor (account), and moderation (moderation)."""
