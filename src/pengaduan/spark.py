"""The evaluation on Spark: clocks and what-ifs over an events dataset, beyond one machine.

`evaluate_events` runs `pengaduan.sla.evaluate` on PySpark over an events dataset of
`pengaduan.columnar` (`pengaduan.columnar.write_dataset`'s ``DIR/events``): the rows are
hash-partitioned by ``complaint_id`` and sorted by ``(complaint_id, seq)`` within each
partition, so that each executor receives every complaint whole; it decodes each run of one
complaint's rows back into events (`pengaduan.columnar.decode_events`), replays them with
the workflow and evaluates the policy, giving exactly the rows the single process writes
(`pengaduan.columnar.clock_rows`, `pengaduan.columnar.CLOCKS_SCHEMA`). `what_if` evaluates
two policies in the same pass and returns every `pengaduan.sla.diff` difference (moved
deadlines, breaches that appear or disappear, ...) as a DataFrame.

How definitions travel: the workflow and policies (calendars included) are plain Python
values captured by the job's function, which Spark serialises with its cloudpickle and
ships with every task; each executor needs ``pengaduan`` (with the ``spark`` extra)
importable, the same version as the driver (install it on the nodes or ship a wheel with
``--py-files``). Nothing is read from the executors' clocks or files.

Needs the ``spark`` extra (pyspark, pyarrow, pandas) and a Java runtime; imported lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pengaduan._time import require_aware
from pengaduan.columnar import _arrow, _schema, clock_rows, decode_events
from pengaduan.exceptions import MissingExtraError
from pengaduan.model import Event
from pengaduan.sla import Policy, diff, evaluate
from pengaduan.workflow import Workflow

__all__ = [
    "DIFFERENCES_COLUMNS",
    "clocks_spark_schema",
    "evaluate_events",
    "what_if",
    "write_clocks",
]

#: The columns of `what_if`'s DataFrame, with their Spark SQL types.
DIFFERENCES_COLUMNS = (
    ("complaint_id", "string"),
    ("clock", "string"),
    ("cycle", "int"),
    ("kind", "string"),
    ("before", "string"),
    ("after", "string"),
    ("shift_seconds", "double"),
    ("year", "smallint"),
)

_EVENT_COLUMNS = (
    "complaint_id",
    "seq",
    "event_id",
    "action",
    "at",
    "at_offset",
    "actor_id",
    "actor_role",
    "actor_unit",
    "data",
    "year",
)


def _types() -> Any:
    try:
        return importlib.import_module("pyspark.sql.types")
    except ImportError:
        raise MissingExtraError("pengaduan.spark", "spark") from None


def clocks_spark_schema() -> Any:
    """`pengaduan.columnar.CLOCKS_SCHEMA` as a Spark ``StructType``.

    Raises:
        MissingExtraError: If pyspark is not installed.
    """
    t = _types()
    pa = _arrow("pengaduan.spark")
    fields = []
    for field in _schema("CLOCKS_SCHEMA"):
        kind = field.type
        if pa.types.is_timestamp(kind):
            spark_type = t.TimestampType()
        elif pa.types.is_boolean(kind):
            spark_type = t.BooleanType()
        elif pa.types.is_int16(kind):
            spark_type = t.ShortType()
        elif pa.types.is_int32(kind):
            spark_type = t.IntegerType()
        elif pa.types.is_int64(kind):
            spark_type = t.LongType()
        else:
            spark_type = t.StringType()
        fields.append(t.StructField(field.name, spark_type, field.nullable))
    return t.StructType(fields)


def _events_frame(spark: Any, events: Any) -> Any:
    """The events as a Spark DataFrame, one partition per hash of ``complaint_id``."""
    frame = spark.read.parquet(events) if isinstance(events, str) else events
    return (
        frame.select(*_EVENT_COLUMNS)
        .repartition("complaint_id")
        .sortWithinPartitions("complaint_id", "seq")
    )


def _complaints(
    batches: Iterator[Any], session_zone: str, workflow: Workflow
) -> Iterator[tuple[Any, list[Event], int]]:
    """Each complaint of a partition's pandas batches, whole: (complaint, events, year)."""
    pd = importlib.import_module("pandas")
    held: list[Event] = []
    year = 0
    for frame in batches:
        at = frame["at"]
        if getattr(at.dt, "tz", None) is None:  # Spark hands out session-local naive times
            at = at.dt.tz_localize(session_zone)
        columns = {name: frame[name] for name in frame.columns}
        columns["at"] = pd.Series(at.dt.tz_convert("UTC").dt.to_pydatetime(), dtype=object)
        for event, event_year in zip(decode_events(columns), frame["year"].tolist(), strict=True):
            if held and held[-1].complaint != event.complaint:
                yield workflow.replay(held)[held[-1].complaint], held, year
                held = []
            held.append(event)
            year = int(event_year)
    if held:
        yield workflow.replay(held)[held[-1].complaint], held, year


def _frame(rows: list[dict[str, Any]], columns: list[str], times: tuple[str, ...]) -> Any:
    pd = importlib.import_module("pandas")
    frame = pd.DataFrame(rows, columns=columns)
    for name in times:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


_TIMES = ("started", "stopped", "deadline")


def evaluate_events(
    spark: Any,
    events: Any,
    as_of: datetime,
    *,
    policy: Policy,
    workflow: Workflow,
) -> Any:
    """Evaluate `policy`'s clocks of every complaint of an events dataset, on Spark.

    Args:
        spark: The ``SparkSession``.
        events: The ``DIR/events`` path of `pengaduan.columnar.write_dataset` (or a Spark
            DataFrame of `pengaduan.columnar.EVENTS_SCHEMA`'s columns, sorted or not).
        as_of: The instant to evaluate at; timezone-aware.
        policy: The SLA policy.
        workflow: The workflow to replay with.

    Returns:
        A lazy Spark DataFrame of `clocks_spark_schema` (write it with
        ``.write.partitionBy("year").parquet(...)``): one row per clock cycle, the same
        rows as `pengaduan.columnar.clock_rows` gives in one process.

    Raises:
        MissingExtraError: If pyspark is not installed.
        NaiveDatetimeError: If `as_of` is naive.
    """
    require_aware(as_of, "as_of")
    at = as_of.astimezone(UTC)
    schema = clocks_spark_schema()
    columns = list(schema.fieldNames())
    zone = str(spark.conf.get("spark.sql.session.timeZone"))

    def job(batches: Iterator[Any]) -> Iterator[Any]:
        rows: list[dict[str, Any]] = []
        for complaint, _events, year in _complaints(batches, zone, workflow):
            evaluation = evaluate(complaint, as_of=at, policy=policy)
            rows.extend(clock_rows(evaluation, policy=policy, year=year))
            if len(rows) >= 10_000:
                yield _frame(rows, columns, _TIMES)
                rows = []
        yield _frame(rows, columns, _TIMES)

    return _events_frame(spark, events).mapInPandas(job, schema)


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(getattr(value, "value", value))


def what_if(
    spark: Any,
    events: Any,
    as_of: datetime,
    *,
    before: Policy,
    after: Policy,
    workflow: Workflow,
) -> Any:
    """Evaluate every complaint under two policies on Spark; return what differs.

    The national form of `pengaduan.sla.what_if`: the same differences (`pengaduan.sla.diff`,
    complaint by complaint), one row each, with ``before``/``after`` as text (instants in
    UTC ISO 8601, statuses by value, counts as numbers) and ``shift_seconds`` for a moved
    deadline (positive: later).

    Args:
        spark: The ``SparkSession``.
        events: The ``DIR/events`` path (or a Spark DataFrame of its columns).
        as_of: The instant to evaluate both at; timezone-aware.
        before: The policy as it is.
        after: The policy as it might be.
        workflow: The workflow to replay with.

    Returns:
        A lazy Spark DataFrame of `DIFFERENCES_COLUMNS`.

    Raises:
        MissingExtraError: If pyspark is not installed.
        NaiveDatetimeError: If `as_of` is naive.
    """
    require_aware(as_of, "as_of")
    at = as_of.astimezone(UTC)
    schema = ", ".join(f"{name} {kind}" for name, kind in DIFFERENCES_COLUMNS)
    columns = [name for name, _kind in DIFFERENCES_COLUMNS]
    zone = str(spark.conf.get("spark.sql.session.timeZone"))

    def frame(rows: list[dict[str, Any]]) -> Any:
        pd = importlib.import_module("pandas")
        out = pd.DataFrame(rows, columns=columns)
        out["cycle"] = out["cycle"].astype("Int32")
        out["year"] = out["year"].astype("int16")
        return out

    def job(batches: Iterator[Any]) -> Iterator[Any]:
        rows: list[dict[str, Any]] = []
        for complaint, _events, year in _complaints(batches, zone, workflow):
            a = evaluate(complaint, as_of=at, policy=before)
            b = evaluate(complaint, as_of=at, policy=after)
            for difference in diff(a, b):
                shift = difference.shift
                rows.append(
                    {
                        "complaint_id": difference.complaint,
                        "clock": difference.clock,
                        "cycle": difference.cycle,
                        "kind": difference.kind,
                        "before": _shown(difference.before),
                        "after": _shown(difference.after),
                        "shift_seconds": None if shift is None else shift.total_seconds(),
                        "year": year,
                    }
                )
            if len(rows) >= 10_000:
                yield frame(rows)
                rows = []
        yield frame(rows)

    return _events_frame(spark, events).mapInPandas(job, schema)


def write_clocks(clocks: Any, directory: str) -> None:
    """Write `evaluate_events`' DataFrame as the ``clocks`` dataset (``DIR/clocks``).

    Partitioned by ``year`` like `pengaduan.columnar.write_dataset`'s, with instants as UTC
    timestamps in microseconds (``TIMESTAMP_MICROS``, adjusted to UTC), so that
    `pengaduan.columnar.open_dataset` and DuckDB read them as the local export's.

    Args:
        clocks: The DataFrame.
        directory: The dataset's directory (``DIR/clocks``); it must not exist yet.
    """
    session = clocks.sparkSession
    session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    clocks.write.mode("errorifexists").partitionBy("year").parquet(directory)
