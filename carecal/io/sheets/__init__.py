"""Printable sheets: self-contained HTML pages (no scripts, no external files).

``routes/<volunteer_id>.html`` for each meal carrier, ``escorts/<volunteer_id>.html`` for
each escort, ``timetables/<volunteer_id>.html`` for each volunteer on the shift plan. They
carry what the volunteer needs at the door and nothing medical beyond the diet tags.
"""

from carecal.io.sheets.escorts import write_escort_sheets
from carecal.io.sheets.routes import write_route_sheets
from carecal.io.sheets.timetables import write_timetables

__all__ = ["write_escort_sheets", "write_route_sheets", "write_timetables"]
