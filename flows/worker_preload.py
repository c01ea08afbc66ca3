"""What a local Dask worker needs, imported once by the forkserver the workers fork from.

Never imported by user code: `flows.runners.local_cluster` names this module as the
forkserver's preload. Why: each worker process imports the same ~190 MB of Python (Prefect,
pandas, Pandera, pyarrow, lxml, the parser) and spends ~4 s of CPU doing it. Forked from a
process that has already imported them, the workers share those pages with it instead
(copy-on-write) and start with nothing left to import. `gc.freeze()` is what keeps the
pages shared (`medcodes.process.freeze_loaded_objects`): it moves every object imported
so far out of the collector's reach, so the workers' collections never write to (and so
copy) them.
"""

from __future__ import annotations

import distributed  # noqa: F401 - the worker itself
import prefect_dask  # noqa: F401 - Prefect's task engine, run by the worker around each batch

import flows.refresh  # noqa: F401 - the parse task and everything it calls
from medcodes.process import freeze_loaded_objects

freeze_loaded_objects()
