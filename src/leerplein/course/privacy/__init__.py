"""Privacy: `course forget` (AVG) in the course and on the hub."""
