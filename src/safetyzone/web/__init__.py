"""HTTP layer: the app factory, dependencies, error mapping and routers (no business rules)."""
