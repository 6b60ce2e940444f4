"""The candidate's path: an invitation link, the landing page, the timed attempt with its
autosaves, the submission that queues the attempt for scoring (`views` → `invitations`,
`attempts`; templates in `templates/candidate/`)."""
