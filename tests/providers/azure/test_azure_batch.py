"""AzureBatchCompute with the real ``BatchClient`` (15.x) against the HTTP fake of the
Batch data plane (``batch_fake.py``), plus the autoscale formulas generated for the
paper's rule and the backlog policy: as text, and as decisions (``formula_eval.py``
evaluates the formula on sample histories and must agree with the domain policy).

Not covered: a real pool (nodes, images, start tasks), tasks actually running (the fake
executes nothing; the contract runs with ``executes_tasks = False`` and the fake settles
task states), Batch's evaluation of the formula (the formula is checked as text and by its
evaluation interval, not by the service's parser).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from batch_fake import ACCOUNT, KEY, BatchFake
from formula_eval import evaluate
from hypothesis import given, settings
from hypothesis import strategies as st

from socialreferral.domain.scaling import BacklogPolicy, QueueSnapshot, ScalingPolicy
from socialreferral.errors import ConfigurationError
from socialreferral.ports import BatchCompute
from socialreferral.providers import BuildContext
from socialreferral.providers.azure.autoscale import autoscale_formula, evaluation_interval
from socialreferral.providers.azure.batch import AzureBatchCompute, command_line, task_state
from socialreferral.providers.azure.settings import AzureSettings
from socialreferral.records import JobState
from socialreferral.testing.contracts._tasks import CONTRACT_TASKS
from socialreferral.testing.contracts.batch import BatchComputeContract

pytestmark = pytest.mark.azure

PAPER_FORMULA = """\
minNodes = 1;
maxNodes = 5;
perNode = 20;
trigger = 5;
window = TimeInterval_Second * 60;
enough = $ActiveTasks.GetSamplePercent(window) >= 70;
waiting = enough ? min($ActiveTasks.GetSample(window)) : 0;
backlog = enough ? max($PendingTasks.GetSample(1)) : 0;
rule = waiting > trigger ? minNodes + ceil(backlog / perNode) : minNodes;
queued = max(0, $ActiveTasks.GetSample(1));
wanted = queued > 0 ? max(rule, $CurrentDedicatedNodes) : rule;
$TargetDedicatedNodes = max(minNodes, min(maxNodes, wanted));
$TargetLowPriorityNodes = 0;
$NodeDeallocationOption = taskcompletion;"""

# The rule re-applied at every evaluation: the formula this adapter generated before the
# simulator showed the paper's pool keeps its size while messages wait.
EACH_EVALUATION_FORMULA = """\
minNodes = 1;
maxNodes = 5;
perNode = 20;
trigger = 5;
window = TimeInterval_Second * 60;
enough = $ActiveTasks.GetSamplePercent(window) >= 70;
waiting = enough ? min($ActiveTasks.GetSample(window)) : 0;
backlog = enough ? max($PendingTasks.GetSample(1)) : 0;
wanted = waiting > trigger ? minNodes + ceil(backlog / perNode) : minNodes;
$TargetDedicatedNodes = max(minNodes, min(maxNodes, wanted));
$TargetLowPriorityNodes = 0;
$NodeDeallocationOption = taskcompletion;"""

BACKLOG_FORMULA = """\
minNodes = 0;
maxNodes = 10;
perNode = 4;
backlog = max(0, $PendingTasks.GetSample(1));
wanted = ceil(backlog / perNode);
$TargetDedicatedNodes = max(minNodes, min(maxNodes, wanted));
$TargetLowPriorityNodes = 0;
$NodeDeallocationOption = taskcompletion;"""


def duration_seconds(text: str) -> float:
    """Seconds of an ISO 8601 duration as the SDK writes it ("PT05M00S")."""
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", text)
    assert match, f"not an ISO 8601 time duration: {text!r}"
    hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def batch_settings(url: str, **overrides: Any) -> AzureSettings:
    fields: dict[str, Any] = {
        "batch_account_url": url,
        "batch_account_name": ACCOUNT,
        "batch_account_key": KEY,
        "pool_id": "workers",
    }
    return AzureSettings(**(fields | overrides))


class TestAzureBatchContract(BatchComputeContract):
    """The conformance kit through the real BatchClient against the HTTP fake, in
    ``executes_tasks = False`` mode: submission, state mapping, cancel and scale are
    checked; running the tasks is not."""

    executes_tasks = False
    wait_timeout = 10.0

    @pytest.fixture
    def backend(self) -> str:
        return "HTTP fake of Azure Batch (real BatchClient 15.x)"

    @pytest.fixture
    def batch(self, batch_service: tuple[str, BatchFake]) -> Iterator[AzureBatchCompute]:
        url, self.fake = batch_service
        adapter = AzureBatchCompute.from_settings(
            batch_settings(url), BuildContext(tasks=CONTRACT_TASKS)
        )
        yield adapter
        adapter.close()

    def settle(
        self,
        batch: BatchCompute,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        array_size: int = 1,
    ) -> None:
        assert len(self.fake.tasks[job_id]) == array_size
        self.fake.settle(job_id, failed=state is JobState.FAILED, error=error)


def test_paper_rule_formula() -> None:
    """Pure: the formula generated for the paper's rule (20 messages a node, more than 5
    waiting for 60 s, 1..5 nodes, the pool kept while tasks wait), expressed with
    $ActiveTasks/$PendingTasks samples. Not covered: Batch's formula parser."""
    assert autoscale_formula(ScalingPolicy()) == PAPER_FORMULA
    assert evaluation_interval(ScalingPolicy()) == 300
    assert autoscale_formula(ScalingPolicy(scale_in="each_evaluation")) == EACH_EVALUATION_FORMULA


def test_backlog_policy_formula() -> None:
    """Pure: the backlog policy's formula (ceil($PendingTasks / 4), 0..10 nodes)."""
    assert autoscale_formula(BacklogPolicy()) == BACKLOG_FORMULA
    assert evaluation_interval(BacklogPolicy()) == 300


def _snapshot(active: list[int], running: list[int], nodes: int, trigger: int) -> QueueSnapshot:
    """What the domain policy sees of the same history: the latest sample, and how long
    the active count has been above ``trigger`` (trailing samples, 30 s apart)."""
    above = 0
    for value in reversed(active):
        if value <= trigger:
            break
        above += 1
    return QueueSnapshot(
        waiting=active[-1],
        running=running[-1],
        nodes=nodes,
        held_seconds=30.0 * (above - 1) if above else 0.0,
    )


def _history(active: list[int], running: list[int]) -> dict[str, list[float]]:
    return {
        "$ActiveTasks": [float(a) for a in active],
        "$RunningTasks": [float(r) for r in running],
        "$PendingTasks": [float(a + r) for a, r in zip(active, running, strict=True)],
    }


@st.composite
def _samples(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    # At least 2 minutes of history: on a younger pool the formula's 70 % rule may act
    # on part of the window, where the policy waits for all of it.
    length = draw(st.integers(5, 10))
    active = draw(st.lists(st.integers(0, 120), min_size=length, max_size=length))
    running = draw(st.lists(st.integers(0, 12), min_size=length, max_size=length))
    return active, running, draw(st.integers(0, 12))


@settings(max_examples=150, deadline=None)
@given(
    samples=_samples(),
    min_nodes=st.integers(0, 2),
    extra=st.integers(0, 8),
    per_node=st.integers(1, 30),
    trigger=st.integers(0, 10),
    sustain=st.sampled_from([0, 30, 60, 90, 120]),
    scale_in=st.sampled_from(["when_drained", "each_evaluation"]),
)
def test_paper_rule_formula_decides_like_the_policy(
    samples: tuple[list[int], list[int], int],
    min_nodes: int,
    extra: int,
    per_node: int,
    trigger: int,
    sustain: int,
    scale_in: str,
) -> None:
    """Pure: on any sample history the formula's $TargetDedicatedNodes equals the domain
    policy's answer (sustain periods in whole 30 s samples, as Batch samples)."""
    active, running, nodes = samples
    policy = ScalingPolicy.model_validate({
        "min_nodes": min_nodes, "max_nodes": max(1, min_nodes + extra),
        "messages_per_node": per_node, "trigger_messages": trigger,
        "sustain_seconds": sustain, "scale_in": scale_in,
    })  # fmt: skip
    result = evaluate(autoscale_formula(policy), _history(active, running), nodes)
    expected = policy.desired_nodes(_snapshot(active, running, nodes, trigger))
    assert result["$TargetDedicatedNodes"] == expected
    assert result["$NodeDeallocationOption"] == "taskcompletion"


@settings(max_examples=100, deadline=None)
@given(samples=_samples(), per_node=st.integers(1, 20), max_nodes=st.integers(1, 20))
def test_backlog_formula_decides_like_the_policy(
    samples: tuple[list[int], list[int], int], per_node: int, max_nodes: int
) -> None:
    """Pure: without an age limit the formula and the policy agree on every history."""
    active, running, nodes = samples
    policy = BacklogPolicy(target_backlog_per_node=per_node, max_nodes=max_nodes)
    result = evaluate(autoscale_formula(policy), _history(active, running), nodes)
    assert result["$TargetDedicatedNodes"] == policy.desired_nodes(
        _snapshot(active, running, nodes, 0)
    )


def test_backlog_formula_approximates_the_oldest_message_age() -> None:
    """Pure: Batch has no message age; "tasks waited in every sample of max_age" stands
    in for it and adds a node, as the policy does for an old message."""
    policy = BacklogPolicy(max_age_seconds=90, max_nodes=6)
    formula = autoscale_formula(policy)
    assert "ageWindow = TimeInterval_Second * 90;" in formula
    waited = _history([2, 3, 1, 2], [2, 2, 2, 2])  # tasks waiting for 90 s and more
    emptied = _history([2, 0, 1, 2], [2, 2, 2, 2])  # the queue was empty 60 s ago
    assert evaluate(formula, waited, 3)["$TargetDedicatedNodes"] == 4
    assert evaluate(formula, emptied, 3)["$TargetDedicatedNodes"] == 1
    old = QueueSnapshot(waiting=2, running=2, nodes=3, oldest_age_seconds=95)
    assert policy.desired_nodes(old) == 4


def test_evaluation_interval_under_five_minutes_is_rejected() -> None:
    """Pure: settings and the adapter refuse an evaluation interval Batch would reject."""
    settings = AzureSettings(
        batch_account_url="http://127.0.0.1:9", batch_account_name=ACCOUNT, batch_account_key=KEY
    )
    context = BuildContext(extra={"scaling": ScalingPolicy(evaluation_interval_seconds=60)})
    with pytest.raises(ConfigurationError, match="5 minutes"):
        AzureBatchCompute.from_settings(settings, context)
    with pytest.raises(ValueError, match="300s"):
        evaluation_interval(ScalingPolicy(evaluation_interval_seconds=299))
    backlog = {"scaling": {"kind": "backlog", "evaluation_interval_seconds": 30}}
    with pytest.raises(ConfigurationError, match="5 minutes"):
        AzureBatchCompute.from_settings(settings, BuildContext(extra=backlog))


def test_pool_created_with_generated_formula(batch_service: tuple[str, BatchFake]) -> None:
    """Against the fake: the first submit creates the pool with autoscale on, the paper's
    formula and a PT5M interval, and the job's tasks carry the run-task command and index
    variables; all requests are SharedKey-signed. Not covered: the service accepting the
    VM image or size."""
    url, fake = batch_service
    settings = batch_settings(url, pool_id="paper-pool", vm_size="Standard_A8_v2")
    adapter = AzureBatchCompute.from_settings(settings, BuildContext(tasks=CONTRACT_TASKS))
    job_id = adapter.submit("contract.succeed", {"dir": "/tmp/x"}, array_size=3)
    pool = fake.pools["paper-pool"]
    assert pool["enableAutoScale"] is True
    assert pool["autoScaleFormula"] == PAPER_FORMULA
    assert duration_seconds(pool["autoScaleEvaluationInterval"]) == 300
    assert pool["vmSize"] == "Standard_A8_v2"
    assert fake.jobs[job_id]["poolInfo"] == {"poolId": "paper-pool"}
    assert fake.jobs[job_id]["onAllTasksComplete"] == "terminatejob"
    tasks = sorted(fake.tasks[job_id].values(), key=lambda t: t["id"])
    assert [t["environmentSettings"][0] for t in tasks] == [
        {"name": "SOCIALREFERRAL_TASK_INDEX", "value": str(i)} for i in range(3)
    ]
    argv = shlex.split(tasks[0]["commandLine"])
    assert argv[:2] == ["/bin/sh", "-c"]
    inner = shlex.split(argv[2])
    assert inner[:3] == ["socialreferral", "run-task", "contract.succeed"]
    assert json.loads(inner[4]) == {"dir": "/tmp/x"}
    assert not fake.unsigned
    adapter.close()


def test_pool_created_with_the_backlog_formula(batch_service: tuple[str, BatchFake]) -> None:
    """Against the fake: ``[scaling] kind = "backlog"`` (BuildContext.extra) puts the
    backlog formula on the pool. Not covered: the service evaluating it."""
    url, fake = batch_service
    context = BuildContext(tasks=CONTRACT_TASKS, extra={"scaling": {"kind": "backlog"}})
    adapter = AzureBatchCompute.from_settings(batch_settings(url, pool_id="backlog"), context)
    adapter.submit("contract.succeed", {"dir": "/tmp/y"})
    assert fake.pools["backlog"]["autoScaleFormula"] == BACKLOG_FORMULA
    assert duration_seconds(fake.pools["backlog"]["autoScaleEvaluationInterval"]) == 300
    adapter.close()


def test_scale_pins_and_apply_policy_restores(batch_service: tuple[str, BatchFake]) -> None:
    """Against the fake: scale(3) pins the formula at 3 nodes (capped at max_nodes), and
    apply_policy() puts the generated formula back. Not covered: nodes actually moving."""
    url, fake = batch_service
    adapter = AzureBatchCompute.from_settings(
        batch_settings(url, pool_id="scale-pool"), BuildContext(tasks=CONTRACT_TASKS)
    )
    adapter.scale(3)
    assert fake.autoscale_calls[-1][1]["autoScaleFormula"].startswith("$TargetDedicatedNodes = 3;")
    adapter.scale(50)
    assert fake.autoscale_calls[-1][1]["autoScaleFormula"].startswith("$TargetDedicatedNodes = 5;")
    adapter.apply_policy()
    pool_id, body = fake.autoscale_calls[-1]
    assert (pool_id, body["autoScaleFormula"]) == ("scale-pool", PAPER_FORMULA)
    assert duration_seconds(body["autoScaleEvaluationInterval"]) == 300
    adapter.close()


@pytest.mark.parametrize(
    ("state", "result", "expected"),
    [
        ("active", None, JobState.QUEUED),
        ("preparing", None, JobState.RUNNING),
        ("running", None, JobState.RUNNING),
        ("completed", "success", JobState.SUCCEEDED),
        ("completed", "failure", JobState.FAILED),
    ],
)
def test_task_state_mapping(state: str, result: str | None, expected: JobState) -> None:
    """Pure: Batch task states (and execution results) to portable job states."""
    assert task_state(state, result) is expected


def test_command_line_quotes_hostile_payloads() -> None:
    """Pure: a payload with quotes, spaces and shell metacharacters survives /bin/sh."""
    payload = {"text": 'it\'s $HOME; `rm -rf /` "quoted"'}
    inner = shlex.split(shlex.split(command_line("a.task", payload))[2])
    assert json.loads(inner[4]) == payload
