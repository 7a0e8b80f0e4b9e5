"""brandpulse: brand-sentiment monitoring over scheduled Airflow DAGs and a DuckDB warehouse.

``pipeline`` is the working half of the project: every step (sources, landing, validation,
normalization, scoring, warehouse loads and aggregates) is a plain function here, so it runs
and is tested without a scheduler. ``dags/`` only wires these steps into Airflow; this
package never imports Airflow.
"""

from __future__ import annotations

__version__ = "0.1.0"
