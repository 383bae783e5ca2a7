"""``lab``: the learner's loop on top of the plugin (watch, list, run, hint, reset, solution).

Everything ``lab`` knows about exercises and their status comes from the plugin: the catalog it
reads, and the ``--lab-json`` report of a real pytest run. Its own imports of plugin modules are all
in ``plugin.lab.kit``.
"""
