"""Built-in readers, one module per format; each exposes ``READER`` for the registry."""
