from __future__ import annotations

import pytest

from pipeline.errors import SourceAuthError
from pipeline.secrets import SecretSpec, redact, resolve

SPEC = SecretSpec(connection_id="x_api", env_var="BRANDPULSE_X_BEARER_TOKEN", what="X token")


def test_the_connection_comes_first_then_the_environment() -> None:
    env = {"BRANDPULSE_X_BEARER_TOKEN": "from-env"}
    assert (
        resolve(SPEC, lambda conn_id: "from-conn" if conn_id == "x_api" else None, env)
        == "from-conn"
    )
    assert resolve(SPEC, lambda conn_id: None, env) == "from-env"
    assert resolve(SPEC, None, env) == "from-env"


def test_a_missing_secret_names_where_to_put_it() -> None:
    with pytest.raises(SourceAuthError) as err:
        resolve(SPEC, lambda conn_id: "  ", {"BRANDPULSE_X_BEARER_TOKEN": ""})
    assert "`x_api`" in str(err.value) and "BRANDPULSE_X_BEARER_TOKEN" in str(err.value)


def test_redact_masks_every_occurrence() -> None:
    assert redact("Bearer abc123 and abc123", "abc123", "") == "Bearer *** and ***"
