"""What a run leaves for people and machines: the terminal summary and the report files."""
