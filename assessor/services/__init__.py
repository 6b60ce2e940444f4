"""Use cases. Each function takes a session and an explicit ``now``; views stay thin."""
