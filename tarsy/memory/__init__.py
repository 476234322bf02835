"""Investigation memory: what TARSy learnt from earlier sessions, stored, recalled and injected."""
