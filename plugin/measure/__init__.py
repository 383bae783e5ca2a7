"""Measuring the machine and the learner's code: the plugin's clock, usable CPUs, speedups, and what
the processes of one xdist run share while they measure."""
