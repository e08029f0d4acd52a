"""Stage 3, grading: autograde in the sandbox, kennischecks from literals, rubric grades, observations and the second assessor."""
