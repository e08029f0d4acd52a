"""Accounts without a terminal: start passwords and first-login letters, the forced change at
first login, a student changing her own password, resets by a teacher (her own cohort) or an
admin. Every password change runs as root (the hub or the grading service), never in a
student's own server; `chpasswd` gets the password on stdin, never in argv."""
