"""The recruiter's use cases. Each takes a session and an explicit ``now``; views stay thin."""
