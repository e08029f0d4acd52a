"""Login from the LMS (LTI 1.3) with roster sync (NRPS) and grade passback (AGS).

config: lti.yml beside the roster. keys: the tool's own key pair. launch: who a launch is
(username, role, cohort, page). authenticator: the hub's login. nrps: the LMS course's members.
ags + outbox + passback: scores to the LMS's gradebook, durable and exactly once."""
