"""The rounds pages: thin views over rounds.services and rounds.selectors.
A view never filters by permission (the selectors do) and never states a
rule (the services do); it shows, collects and reports what the service said."""
