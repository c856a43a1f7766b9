"""Dash pages of the classroom: each module has ``layout(...)`` and ``register(app, engine)``."""
