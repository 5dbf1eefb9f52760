"""Protocol adapters: bytes in, typed Events out. Pure translators; no domain imports."""
