"""The hall service's process edge: settings, ASGI app, HTTP routes, auth and the CLI."""
