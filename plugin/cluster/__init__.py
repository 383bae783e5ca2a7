"""Step 5's Dask cluster: the session's cluster and client (``fixture``), where its scheduler address
comes from (``address``), a learner's own clients and clusters left open (``leftovers``), and the
helpers that tests hand to Dask tasks (``tasks``).

Nothing is imported here: workers of a real cluster import ``plugin.cluster.tasks`` and the message
table it speaks with (the kit may be uploaded to them as just those), without pytest or the rest of
the plugin.
"""
