# The dashboard's summary tables live beside the dashboard's code.
from portal.dashboard.models import FigureChange, FigureSegment

__all__ = ["FigureChange", "FigureSegment"]
