"""resolve(): the public one-call API, on generated records (no shared data)."""

from __future__ import annotations

from collections import Counter

import pytest

from socialreferral.errors import InvalidInput
from socialreferral.people import LinkageSettings, resolve
from socialreferral.people.synthetic import generate


def pairwise_f1(predicted: list[str], truth: list[str]) -> float:
    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp = pairs(Counter(zip(predicted, truth, strict=True)))
    p, t = pairs(Counter(predicted)), pairs(Counter(truth))
    return 2 * tp / (p + t) if p + t else 1.0


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, str | None]], list[str]]:
    return generate(80, seed=11)


def test_links_generated_people(generated: tuple[list[dict[str, str | None]], list[str]]) -> None:
    records, truth = generated
    ids = resolve(records)
    assert len(ids) == len(records)
    # Far above "nothing linked" (F1 0) and "exact name + dob" on this noisy data.
    assert pairwise_f1(ids, truth) > 0.8
    assert resolve(records) == ids  # deterministic


def test_whole_columns_missing_still_work() -> None:
    records, truth = generate(60, seed=12, fields=("first_name", "last_name", "email"))
    assert pairwise_f1(resolve(records), truth) > 0.6


def test_missing_keys_unknown_keys_and_placeholders() -> None:
    records: list[dict[str, str | None]] = [
        {"first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.com", "colour": "red"},
        {"first_name": "ann", "last_name": "LEE", "email": "Ann.Lee@Example.com"},
        {"first_name": "N/A", "last_name": "-", "email": "unknown"},
        {"first_name": "n/a", "last_name": "-", "email": "unknown"},
        {},
        {"phone": None, "handle": "   "},
    ]
    ids = resolve(records)
    assert ids[0] == ids[1]
    # Placeholders are unknown, not equal values: those records stay apart.
    assert len({ids[2], ids[3], ids[4], ids[5]}) == 4
    assert ids[0] not in ids[2:]


def test_trivial_inputs() -> None:
    assert resolve([]) == []
    (only,) = resolve([{"first_name": "x"}])
    assert only.startswith("p-")
    a, b = resolve([{"email": "a@b.co"}, {"email": "a@b.co"}])
    assert isinstance(a, str) and isinstance(b, str)


def test_same_account_on_a_network_is_one_person() -> None:
    records: list[dict[str, str | None]] = [
        {"network": "twitter", "handle": "@ann_lee", "first_name": "Ann"},
        {"network": "Twitter", "handle": "https://twitter.com/ann_lee", "first_name": "Annie"},
        {"network": "instagram", "handle": "someone_else", "first_name": "Bob"},
    ]
    ids = resolve(records)
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([{"first_name": ["a"]}], "records[0].first_name"),
        ([{"email": True}], "records[0].email"),
        ([{"city": "x" * 300}], "records[0].city"),
        (["not a mapping"], "records[0]"),
        ("a string", "records"),
    ],
)
def test_bad_input_is_a_typed_error(records: object, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve(records)  # type: ignore[arg-type]
    assert info.value.field == field


def test_record_count_is_bounded() -> None:
    with pytest.raises(InvalidInput, match="exceed"):
        resolve([{}] * 3, settings=LinkageSettings(max_records=2))


def test_numbers_are_accepted_as_digits() -> None:
    ids = resolve(
        [
            {"first_name": "Ann", "last_name": "Lee", "postcode": 2000, "phone": 447700900123},  # type: ignore[dict-item]
            {"first_name": "Ann", "last_name": "Lee", "postcode": "2000", "phone": "07700900123"},
        ]
    )
    assert ids[0] == ids[1]
