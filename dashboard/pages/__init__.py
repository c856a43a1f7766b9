"""Dashboard pages: each module has ``layout(store, ...)`` and ``register(app, store)``."""
