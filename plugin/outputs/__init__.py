"""What a run leaves for people and platforms: the terminal summary, and the report files of FORMATS,
one module per format."""
