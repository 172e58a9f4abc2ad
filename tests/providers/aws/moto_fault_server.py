"""moto's own server app in a subprocess, with two test adjustments.

1. Atomic conditional writes in DynamoDB. moto evaluates a ``ConditionExpression`` and
   then writes the item without holding a lock (``Table.put_item``/``delete_item``), so two
   threads of its threaded server can both pass the same ``etag = :etag`` check, which
   real DynamoDB never allows. :func:`atomic_dynamodb` wraps both methods in one lock; the
   in-process tests apply the same patch (tests/providers/aws/test_aws_store*.py).

2. A fault switch for AWS Batch.

moto's Batch (without Docker) decides at ``SubmitJob`` time whether a job fails, from the
server process's environment variable ``MOTO_SIMPLE_BATCH_FAIL_AFTER``. The Batch
conformance tests submit succeeding and failing tasks to one server, so this wrapper sets
that variable for the duration of a request that carries the header
``x-moto-batch-fail: 1`` (added by the test client for failing tasks) and clears it
otherwise. Everything else is moto's unmodified WSGI application.

Usage: ``python moto_fault_server.py PORT`` (binds 127.0.0.1).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_LOCK = threading.Lock()
_DYNAMO_LOCK = threading.RLock()


def atomic_dynamodb() -> Callable[[], None]:
    """Make moto's conditional put/delete atomic; returns a function that undoes it."""
    from moto.dynamodb.models.table import Table

    originals = {name: getattr(Table, name) for name in ("put_item", "delete_item")}

    def locked(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _DYNAMO_LOCK:
                return original(self, *args, **kwargs)

        return method

    for name, original in originals.items():
        setattr(Table, name, locked(original))

    def undo() -> None:
        for name, original in originals.items():
            setattr(Table, name, original)

    return undo


def main() -> None:
    port = int(sys.argv[1])
    atomic_dynamodb()
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_MOTO_BATCH_FAIL") is None:
            return moto_app(environ, start_response)  # type: ignore[no-any-return]
        with _LOCK:  # the variable is process-wide: one flagged request at a time
            os.environ["MOTO_SIMPLE_BATCH_FAIL_AFTER"] = "0"
            try:
                return list(moto_app(environ, start_response))
            finally:
                del os.environ["MOTO_SIMPLE_BATCH_FAIL_AFTER"]

    run_simple("127.0.0.1", port, app, threaded=True)


if __name__ == "__main__":
    main()
