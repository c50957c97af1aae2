"""Cần chỉ đạo: targets behind their pace, cooperatives stopped for long, overdue loans, stalled
1054 projects; each line links to the page and filter that explain it."""

from hxapp import attention, data
from hxapp.view import current

view = current()
attention.page(data.get_engine(), view)
