"""Stage 1, prepare: from the single sources to nbgrader assignments, the curriculum rules on them, and their release to a cohort."""
