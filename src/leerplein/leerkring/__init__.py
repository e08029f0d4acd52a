"""The leerkring: action-learning sets on the hub. Peers share a problem from their practice
and ask each other questions, not advice (Revans: L = P + Q). Posts stay inside the set."""
