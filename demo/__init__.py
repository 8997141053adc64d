"""The demo city behind ``manage.py seed_demo`` (see ``demo/seed.py``)."""
