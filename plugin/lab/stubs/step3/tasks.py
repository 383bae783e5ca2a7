"""Step 3 — tasks: Pool.apply versus Pool.apply_async, callbacks, and functools.partial.

Fill in each function below; its docstring says exactly what to build. Run ``pytest exercises/step3``
to check your work. The lesson is in README.md beside this file.
"""

import functools
import multiprocessing


def scale(value, factor):
    """Given: the function ``make_scaler`` fixes ``factor`` of."""
    return value * factor


def blocking_results(func, items, processes=2):
    """Return ``[func(item) for item in items]``, each computed in a pool worker with ``Pool.apply``.

    - Use one ``multiprocessing.Pool(processes)`` as a context manager.
    - Call ``pool.apply(func, (item,))`` for each item in turn: ``apply`` blocks until that task's
      result is back, so the tasks run one at a time, in order.
    """
    raise NotImplementedError("step3.blocking_results: see the docstring")


def async_results(func, items, processes=2):
    """Return ``[func(item) for item in items]``, with the tasks running at the same time.

    - Use one ``multiprocessing.Pool(processes)`` as a context manager.
    - Submit *every* task with ``pool.apply_async(func, (item,))`` before asking for any result.
    - Then, still inside the ``with`` block (leaving it terminates the pool and throws away unfinished
      tasks), call ``get()`` on each ``AsyncResult`` in submission order and return the values in that
      order. If a task raised an exception, ``get()`` raises it again: let it propagate.
    """
    raise NotImplementedError("step3.async_results: see the docstring")


def results_with_callbacks(func, items, processes=2):
    """Run ``func(item)`` for every item with ``apply_async`` in one ``multiprocessing.Pool(processes)``
    and collect outcomes through callbacks.

    Return ``(results, errors)``, two dicts keyed by item:

    - ``results[item] = func(item)`` for every task that returned, stored by a ``callback``;
    - ``errors[item] = "<ExceptionType>: <message>"`` (e.g. ``"ValueError: negative input -3"``) for
      every task that raised, stored by an ``error_callback``.

    - Use one ``multiprocessing.Pool(processes)`` as a context manager and submit every item with
      ``pool.apply_async(func, (item,), callback=..., error_callback=...)``.
    - Callbacks receive only the result or the exception, so bind the item (and the dict) to a
      module-level helper with ``functools.partial``.
    - After submitting everything, call ``pool.close()`` then ``pool.join()`` *inside* the ``with``
      block, so that every task has finished and every callback has run before the block terminates
      the pool; then return.
    - Callbacks run in a thread of this process that handles every result: keep them short, and never
      let them raise (an exception there stops all later results). Items are distinct.
    """
    raise NotImplementedError("step3.results_with_callbacks: see the docstring")


def make_scaler(factor):
    """Return a one-argument callable ``f`` with ``f(value) == scale(value, factor)`` that can be
    pickled, so that ``Pool.map`` can send it to workers under every start method.

    Use ``functools.partial`` with the module-level ``scale``, fixing ``factor`` by keyword (bound
    positionally it would take the place of ``value``); a lambda or a function defined inside this one
    could not be pickled.
    """
    raise NotImplementedError("step3.make_scaler: see the docstring")


def scale_all(values, factor, processes=2):
    """Return ``[scale(value, factor) for value in values]``, computed with ``Pool.map`` over
    ``make_scaler(factor)`` in a ``multiprocessing.Pool(processes)`` used as a context manager."""
    raise NotImplementedError("step3.scale_all: see the docstring")
