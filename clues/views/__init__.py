"""The clue pages: thin views over clues.services and clues.selectors.

A view never filters by permission (the selectors do: anyone who may not see
a clue gets a 404 from them) and never states a rule (the services do, and
raise PermissionDenied or a ValidationError in Chinese). Every page that shows
a clue's content records the read in the audit log."""
