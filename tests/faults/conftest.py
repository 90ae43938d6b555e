"""The fault tests' private PostgreSQL cluster, started once per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.cluster import PrivateCluster, private_cluster


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as started:
        yield started
