"""Step 3 — tasks: reference solutions."""

import functools
import multiprocessing


def scale(value, factor):
    """Given: the function ``make_scaler`` fixes ``factor`` of."""
    return value * factor


def blocking_results(func, items, processes=2):
    with multiprocessing.Pool(processes) as pool:
        return [pool.apply(func, (item,)) for item in items]


def async_results(func, items, processes=2):
    with multiprocessing.Pool(processes) as pool:
        pending = [pool.apply_async(func, (item,)) for item in items]
        return [result.get() for result in pending]


def _store(outcomes, item, value):
    outcomes[item] = value


def _store_error(errors, item, error):
    errors[item] = f"{type(error).__name__}: {error}"


def results_with_callbacks(func, items, processes=2):
    results, errors = {}, {}
    with multiprocessing.Pool(processes) as pool:
        for item in items:
            pool.apply_async(
                func,
                (item,),
                callback=functools.partial(_store, results, item),
                error_callback=functools.partial(_store_error, errors, item),
            )
        pool.close()
        pool.join()
    return results, errors


def make_scaler(factor):
    return functools.partial(scale, factor=factor)


def scale_all(values, factor, processes=2):
    with multiprocessing.Pool(processes) as pool:
        return pool.map(make_scaler(factor), values)
