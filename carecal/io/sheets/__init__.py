"""Printable sheets: self-contained HTML pages (no scripts, no external files).

``routes/<volunteer_id>.html`` for each meal carrier, ``escorts/<volunteer_id>.html`` for
each escort, ``timetables/<volunteer_id>.html`` for each volunteer on the shift plan. They
carry what the volunteer needs at the door and nothing medical beyond the diet tags.
``packing_list.html`` is the kitchen's: the portions of each trip by diet, and the day's.
Each page is rendered in memory; the file name comes from the volunteer id, bounded and
portable (:func:`~carecal.io.sheets.page.sheet_names`).
"""

from carecal.io.sheets.escorts import escort_sheets
from carecal.io.sheets.packing import PACKING_SHEET, packing_sheet
from carecal.io.sheets.page import sheet_names
from carecal.io.sheets.routes import route_sheets
from carecal.io.sheets.timetables import timetables

__all__ = [
    "PACKING_SHEET",
    "escort_sheets",
    "packing_sheet",
    "route_sheets",
    "sheet_names",
    "timetables",
]
