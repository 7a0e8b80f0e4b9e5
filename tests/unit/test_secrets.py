from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import quote

import pytest

from pipeline.errors import SourceAuthError
from pipeline.secrets import (
    MASK,
    MIN_MASKED_CHARS,
    SecretSpec,
    header_value,
    redact,
    remember,
    resolve,
)

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


# --------------------------------------------------------------------------------------
# Malformed secrets and masking
# --------------------------------------------------------------------------------------

HEADER = SecretSpec("x_api", "BRANDPULSE_X_BEARER_TOKEN", "X token", carrier="header")
BODY = SecretSpec("bluesky_api", "BRANDPULSE_BLUESKY_APP_PASSWORD", "password", carrier="body")


@pytest.mark.parametrize(
    ("value", "flaw", "spec"),
    [
        ("Qz7-secret1234\nX-Injected: 1", "a line break", HEADER),
        ("Qz7-secret1234\rmore", "a line break", HEADER),
        ("Qz7-secret1234\x00", "a control character", HEADER),
        ("Qz7-secret1234\x7f", "a control character", HEADER),
        ("Qz7 secret1234", "a space", HEADER),
        ("Qz7\u00a0secret1234", "a space", HEADER),
        ("Qz7-secret1234\u00e9", "a non-ASCII character", HEADER),
        ("hunter two\n2", "a line break", BODY),
    ],
)
def test_a_malformed_secret_is_refused_without_showing_it(
    value: str, flaw: str, spec: SecretSpec
) -> None:
    with pytest.raises(SourceAuthError) as err:
        resolve(spec, lambda _: value, {})
    message = str(err.value)
    assert f"contains {flaw}" in message and f"`{spec.connection_id}`" in message
    assert spec.env_var in message
    assert "Qz7" not in message and "secret1234" not in message and "hunter" not in message


def test_what_each_carrier_accepts() -> None:
    assert resolve(BODY, lambda _: "pass word é", {}) == "pass word é"  # a JSON body takes it
    assert resolve(SPEC, lambda _: "any\nthing", {}) == "any\nthing"  # not checked
    token = "AAAA%2Fbearer%3D-._~+/="
    assert resolve(HEADER, lambda _: f"  {token}\n", {}) == token  # stripped, then checked


def test_header_value_refuses_what_a_header_cannot_carry() -> None:
    assert header_value("bluesky", "session token", "eyJ.abc.def") == "eyJ.abc.def"
    with pytest.raises(SourceAuthError, match=r"^bluesky: the session token contains a line"):
        header_value("bluesky", "session token", "eyJsecretvalue\nX: 1")


def test_redact_masks_escaped_encoded_and_split_forms() -> None:
    secret = 's3cr3t-"value"\nsecond-half-of-it'
    texts = [
        f"as is: {secret}",
        f"repr: {secret!r}",
        f"json: {json.dumps(secret)}",
        f"url: {quote(secret, safe='')}",
        'lines: s3cr3t-"value" | second-half-of-it',
    ]
    for text in texts:
        masked = redact(text, secret)
        assert "s3cr3t" not in masked and "second-half-of-it" not in masked, masked
        assert MASK in masked


def test_a_remembered_secret_is_masked_in_every_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = f"remembered-{uuid.uuid4().hex}"
    remember(secret)
    caplog.set_level(logging.DEBUG)
    other = logging.getLogger("some.library.deep.down")
    other.debug("headers: %s", {"Authorization": f"Bearer {secret}"})
    other.warning(f"f-string {secret!r}")
    try:
        raise ValueError(f"failed with {secret}")
    except ValueError:
        other.exception("it broke")
    assert secret not in caplog.text
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert caplog.text.count(MASK) >= 3  # the two messages and the exception
    assert redact(f"later {secret}") == f"later {MASK}"  # also without being passed


def test_short_values_are_not_masked() -> None:
    remember("abc")
    assert redact("abc abc") == "abc abc"
    assert len("abc") < MIN_MASKED_CHARS
