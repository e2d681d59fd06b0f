"""The CME procedure in pure Python: school calendar, case lifecycle, milestones, removal from roll, roles."""
