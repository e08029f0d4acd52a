"""Login from the LMS (LTI 1.3) with roster sync (NRPS) and grade passback (AGS).

config: lti.yml beside the roster. keys: the tool's own key pair. launch: who a launch is
(username, role, cohort, page). authenticator: the hub's login. nrps: the LMS course's members.
ags + outbox + passback: scores to the LMS's gradebook, durable and exactly once.

The services side (token, NRPS, AGS) is a few HTTP calls on PyJWT and requests, both pinned
already. pylti1p3 (and its fork pylti1p3next) was considered: its services hang off its own
MessageLaunch/ToolConfig objects and cache, built for a tool that handles the launch itself, while
here jupyterhub-ltiauthenticator does the launch."""
