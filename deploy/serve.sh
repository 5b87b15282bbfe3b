#!/bin/sh
# The container's entry command (also runs as a plain process, which is how the tests
# check it): get the dataset ready, then serve the app.
#
# The first start downloads the 2062 photos into SIGNVIZ_CACHE_DIR (a volume in the
# compose file), verifies them and preprocesses them; later starts, and the other
# replicas sharing the volume, find them there in a fraction of a second. Without a
# network the app falls back to scikit-learn's small digits and says so.
set -eu

# At most two malloc arenas. Every session's script runs in a thread of its own, and
# glibc gives busy threads arenas of their own (up to 8 per core) that keep their
# memory after the sessions end: after three waves of 30 learners, and their sessions'
# time-out, the server stayed at 1.33-1.37 times its memory before them (malloc_trim
# did not help), against 1.04-1.12 times with two arenas (benchmarks/classroom.py).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

python -c "
from signviz import data
dataset = data.load_dataset()
print('signviz:', dataset.message if dataset.is_fallback else
      f'{len(dataset.digits)} photos ready ({dataset.source}, {dataset.location})', flush=True)
"

exec python -m streamlit run app.py \
    --server.address "${SIGNVIZ_ADDRESS:-0.0.0.0}" \
    --server.port "${SIGNVIZ_PORT:-8501}" \
    --server.headless true \
    "$@"
