"""The fault tests' private PostgreSQL cluster, started once per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.cluster import PrivateCluster, private_cluster
from tests.faults.helpers import fresh_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as started:
        yield started


@pytest.fixture
def cluster_database_url(
    cluster: PrivateCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database on the private cluster, for tests that talk to it
    directly (no service). Made outside the test's event loop: migrations run their own."""
    with fresh_database(cluster, tmp_path_factory.mktemp("database")) as url:
        yield url
