# The dashboard's summary tables live beside the dashboard's code.
from portal.dashboard.models import CoverageSummary, FigureChange, FigureSegment, Watermark

__all__ = ["CoverageSummary", "FigureChange", "FigureSegment", "Watermark"]
