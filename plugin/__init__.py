"""Parallel Lab: the pytest plugin that runs, explains and grades the multiprocessing exercises."""
