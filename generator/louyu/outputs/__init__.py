"""Outputs beyond the pages, each a function of one station's published set:
RSS feed, iCalendar, and the offline station screen."""
