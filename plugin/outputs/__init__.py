"""The documents a run writes for people and platforms, one module per format."""
