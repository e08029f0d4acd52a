"""The hub's one error: a message for the person who runs `leerplein hub ...`."""


class HubError(RuntimeError):
    pass
