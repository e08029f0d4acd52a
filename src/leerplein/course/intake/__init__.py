"""Stage 2, intake: the exchange students hand in through, guarded, deadlines and the collect step that never follows what a student controls."""
