"""One local Spark session for every Spark test (starting one takes seconds)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
    pytest.skip("Spark needs a Java runtime (.ci/run installs one)", allow_module_level=True)

# PySpark warns that it "does not yet fully support pandas >= 3.0.0" on every pandas
# conversion; the suite turns warnings into errors, so that one is silenced here.
PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    import warnings

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = (
            SparkSession.builder.master("local[2]")
            .appName("pengaduan-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "Asia/Jakarta")  # not UTC, on purpose
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
