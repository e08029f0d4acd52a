"""The teacher's workspace: every step of the course cycle as a Dutch page (release, collect,
autograde, feedback, attendance, progress, report, export), served by the hub's grading service.
Pages call the same plain functions as `leerplein course`."""
