"""The recruiter's path: sign-in, the list of attempts, review, judgement (overrides and
comparison), exports, the JSON API, webhooks' settings, invitations and administration. Views in
`views/`, the use cases they call in `services/`, templates in `templates/`."""
