"""What every app shares, and nothing domain-specific: the scoping gate (`core.scope`), the event
log domain actions write to (`core.events`, `core.models.Event`), sending tasks after commit
(`core.broker`), the cache that survives Redis going away (`core.cache`), the API's base classes,
fields, pagination, throttles and error handling (`core.api`), form bases and validators.

The lowest layer (docs/ARCHITECTURE.md): core imports no app of the portal.
"""
