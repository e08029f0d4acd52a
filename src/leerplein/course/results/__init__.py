"""Stage 4, results: feedback, progress and pass rules, attendance, the report, the LMS export and the status overview."""
