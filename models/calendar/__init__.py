"""Working-day calendars and the one clock engine every deadline uses."""
