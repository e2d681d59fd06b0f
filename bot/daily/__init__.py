"""The daily job (Day 5 and Day 20 reminders, the overdue digest) and its scheduler."""
