"""The scoring path: a submitted attempt's job, claimed by a worker, scored by the pure engine in
`assessor.scoring`, stored as a score card, and announced to the organisation's webhooks
(`jobs` → `scorer` → `webhooks` → `webhook_delivery`)."""
