"""Controls shared by every area of the desktop (the date field)."""
