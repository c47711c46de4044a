"""The Spark engine, for state-scale data: the same prepared SQL on Spark DataFrames.

``pyspark`` (and a Java runtime) is not one of the hub's dependencies: it is imported only when this
engine is asked for, and its absence is a clear ``LinkageError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import LinkageError
from .prepare import prepare_sql


def spark_api() -> Any:
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise LinkageError(
            "--engine spark needs pyspark (pip install pyspark) and a Java runtime; "
            "it is not installed here. Use --engine duckdb, or see docs/identity.md."
        ) from error
    from pyspark.sql import SparkSession
    from splink import SparkAPI

    spark = SparkSession.builder.appName("ecwhub-link-records").getOrCreate()
    return SparkAPI(spark_session=spark)


def load(
    people_csv: Path,
    incoming_csv: Path | None,
    nicknames: list[tuple[str, str]],
    surnames: list[tuple[str, str]],
) -> tuple[Any, Any, list[Any]]:
    """(database API, Spark session, [prepared people, prepared incoming?]) ready for Splink."""
    db_api = spark_api()
    spark = db_api.spark
    spark.createDataFrame(nicknames, "nick string, formal string").createOrReplaceTempView("identity_nicknames")
    spark.createDataFrame(surnames, "spelling string, key string").createOrReplaceTempView("identity_surname_keys")
    spark.read.csv(str(people_csv), header=True).createOrReplaceTempView("people_raw")
    frames = [spark.sql(prepare_sql("people_raw", "spark"))]
    if incoming_csv is not None:
        spark.read.csv(str(incoming_csv), header=True).selectExpr(
            "record_id as unique_id", "'' as household_id", "*"
        ).drop("record_id").createOrReplaceTempView("incoming_raw")
        frames.append(spark.sql(prepare_sql("incoming_raw", "spark")))
    names = ["people", "incoming"]
    return (
        db_api,
        spark,
        [
            db_api.register(frame, dataset_display_name=name, table_name=f"input_{name}")
            for frame, name in zip(frames, names, strict=False)
        ],
    )
