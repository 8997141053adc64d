"""The rectification pages: thin views over rectification.services and
rectification.selectors. A view never filters by permission (the selectors
do) and never states a rule (the services do); it shows, collects and
reports what the service said."""
