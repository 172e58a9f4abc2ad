"""A small HTTP fake of the Azure Batch data-plane REST API, for the real ``BatchClient``.

No Azure Batch emulator exists. The fake serves the routes ``AzureBatchCompute`` calls
(pool exists/create/enable autoscale, job create/get/terminate, add task collection, list
tasks, task files), checks that each request is signed with the account's shared key
(``Authorization: SharedKey <account>:<signature>``), records request bodies, and runs
nothing: :meth:`BatchFake.settle` sets task states as a real pool would after running them.

Not covered: real scheduling and nodes, autoscale evaluation, the signature's validity
(only its presence and account are checked), the service's error texts, paging.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

ACCOUNT = "fakebatch"
KEY = "ZmFrZS1iYXRjaC1rZXktZm9yLXRlc3RzLW9ubHk="
_NOW = "2026-01-01T00:00:00.000Z"


@dataclass
class BatchFake:
    pools: dict[str, dict[str, Any]] = field(default_factory=dict)
    autoscale_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    stderr: dict[tuple[str, str], str] = field(default_factory=dict)
    unsigned: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Response:
        if not request.headers.get("Authorization", "").startswith(f"SharedKey {ACCOUNT}:"):
            self.unsigned.append(request.path)
            return _error(403, "AuthenticationFailed", "request is not signed")
        with self.lock:
            return self._route(request)

    def _route(self, request: Request) -> Response:
        method, path = request.method, request.path
        body = json.loads(request.get_data() or b"null")
        if match := re.fullmatch(r"/pools/([^/]+)", path):
            pool = self.pools.get(match[1])
            if method == "HEAD":
                return Response(status=200 if pool else 404)
            if pool is None:
                return _error(404, "PoolNotFound", "The specified pool does not exist.")
            return _json(pool | {"allocationState": "steady", "state": "active"})
        if path == "/pools" and method == "POST":
            if body["id"] in self.pools:
                return _error(409, "PoolExists", "The specified pool already exists.")
            self.pools[body["id"]] = body
            return Response(status=201)
        if match := re.fullmatch(r"/pools/([^/]+)/enableautoscale", path):
            self.autoscale_calls.append((match[1], body))
            self.pools[match[1]].update(body)
            return Response(status=200)
        if path == "/jobs" and method == "POST":
            self.jobs[body["id"]] = body | {"state": "active", "creationTime": _NOW}
            self.tasks[body["id"]] = {}
            return Response(status=201)
        if match := re.fullmatch(r"/jobs/([^/]+)", path):
            job = self.jobs.get(match[1])
            if job is None:
                return _error(404, "JobNotFound", "The specified job does not exist.")
            return _json(job)
        if match := re.fullmatch(r"/jobs/([^/]+)/terminate", path):
            job = self.jobs.get(match[1])
            if job is None:
                return _error(404, "JobNotFound", "The specified job does not exist.")
            if job["state"] == "completed":
                return _error(409, "JobCompleted", "The specified job is already completed.")
            job["state"] = "completed"
            reason = (body or {}).get("terminateReason")
            job["executionInfo"] = {"startTime": _NOW, "endTime": _NOW, "terminateReason": reason}
            return Response(status=202)
        if match := re.fullmatch(r"/jobs/([^/]+)/addtaskcollection", path):
            results = []
            for task in body["value"]:
                self.tasks[match[1]][task["id"]] = task | {"state": "active"}
                results.append({"status": "success", "taskId": task["id"], "eTag": "0x1"})
            return _json({"value": results})
        if match := re.fullmatch(r"/jobs/([^/]+)/tasks", path):
            if match[1] not in self.jobs:
                return _error(404, "JobNotFound", "The specified job does not exist.")
            return _json({"value": list(self.tasks[match[1]].values())})
        if match := re.fullmatch(r"/jobs/([^/]+)/tasks/([^/]+)/files/stderr.txt", path):
            text = self.stderr.get((match[1], match[2]))
            if text is None:
                return _error(404, "FileNotFound", "The specified file does not exist.")
            return Response(text, content_type="application/octet-stream")
        return _error(400, "InvalidUri", f"fake does not serve {method} {path}")

    def settle(self, job_id: str, *, failed: bool, error: str | None = None) -> None:
        """Complete every task of ``job_id`` as a pool would (and the job, as
        ``onAllTasksComplete=terminatejob`` does)."""
        with self.lock:
            for task_id, task in self.tasks[job_id].items():
                info: dict[str, Any] = {"startTime": _NOW, "endTime": _NOW, "retryCount": 0,
                                        "requeueCount": 0, "exitCode": 1 if failed else 0,
                                        "result": "failure" if failed else "success"}  # fmt: skip
                if failed:
                    info["failureInfo"] = {
                        "category": "usererror",
                        "code": "FailureExitCode",
                        "message": "The task process exited with an unexpected exit code",
                    }
                    self.stderr[(job_id, task_id)] = f"Traceback ...\n{error or 'failed'}\n"
                task.update(state="completed", executionInfo=info)
            job = self.jobs[job_id]
            job["state"] = "completed"
            job["executionInfo"] = {"startTime": _NOW, "endTime": _NOW,
                                    "terminateReason": "AllTasksComplete"}  # fmt: skip


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    body = {"code": code, "message": {"lang": "en-US", "value": message}}
    return Response(json.dumps(body), status=status, content_type="application/json")
