"""One blueprint per page group of the recruiter's side; each calls `..services`."""
