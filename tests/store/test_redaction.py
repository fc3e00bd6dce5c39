"""No password in any message of the PostgreSQL store, whatever the connection string.

libpq's parse errors quote pieces of the connection string, so every URL shape is tried, with
passwords of every awkward character, percent-encoded or not, in URLs that do not parse. The
servers named do not exist (port 1 of the loopback): every attempt fails, fast.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan.exceptions import StoreError
from pengaduan.presets import lapor_workflow
from pengaduan.store import open_store

pytest.importorskip("psycopg")

from pengaduan.store import PostgresStore

# Upper-case letters and punctuation: no run of five of them occurs in a message by chance.
CHARACTERS = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ@:/%?&=#' \\\"+;!$[]")
PASSWORDS = st.text(CHARACTERS, min_size=5, max_size=24).map(lambda s: "PW" + s)


def quoted(password: str) -> str:
    return "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"


SHAPES = {
    "url": lambda pw: f"postgresql://user:{pw}@127.0.0.1:1/db",
    "url percent-encoded": lambda pw: f"postgresql://user:{quote(pw, safe='')}@127.0.0.1:1/db",
    "url half-encoded": lambda pw: f"postgresql://user:{quote(pw, safe='%@')}@127.0.0.1:1/db",
    "url bad port": lambda pw: f"postgresql://user:{pw}@127.0.0.1:x1/db",
    "url bad host": lambda pw: f"postgresql://user:{pw}@[::1/db",
    "url query": lambda pw: f"postgresql://user@127.0.0.1:1/db?password={pw}",
    "url query encoded": lambda pw: f"postgres://u@127.0.0.1:1/db?password={quote(pw, safe='')}",
    "url bad query": lambda pw: f"postgresql://user:{pw}@127.0.0.1:1/db?nonsense={pw}",
    "keywords": lambda pw: f"host=127.0.0.1 port=1 user=u password={pw}",
    "keywords quoted": lambda pw: f"host=127.0.0.1 port=1 password={quoted(pw)} dbname=x",
    "keywords unterminated": lambda pw: f"host=127.0.0.1 port=1 password='{pw}",
    "keywords bad port": lambda pw: f"host=127.0.0.1 password={quoted(pw)} port=x1",
}


def leaks(password: str, text: str) -> list[str]:
    """The pieces of `password` (five characters or more, in any encoding) found in `text`."""
    forms = {password, quote(password, safe=""), quote(password, safe="%@")}
    return [
        form[i : i + 5]
        for form in forms
        for i in range(len(form) - 4)
        if form[i : i + 5] in text and len(form[i : i + 5].strip()) == 5
    ]


def attempt(open_it: object, conninfo: str) -> StoreError:
    with pytest.raises(StoreError) as caught:
        open_it(conninfo, workflow=lapor_workflow())  # type: ignore[operator]
    return caught.value


@settings(max_examples=60, deadline=None)
@given(password=PASSWORDS, shape=st.sampled_from(sorted(SHAPES)))
def test_no_password_in_a_store_error_whatever_the_connection_string(
    password: str, shape: str
) -> None:
    conninfo = SHAPES[shape](password)
    error = attempt(PostgresStore, conninfo)
    texts = [str(error), repr(error), *map(str, error.args), error.store, error.reason]
    for text in texts:
        assert not leaks(password, text), (shape, text)
    # Raised outside libpq's handler: nothing chained holds the raw message either.
    assert error.__cause__ is None
    assert error.__context__ is None


@settings(max_examples=40, deadline=None)
@given(password=PASSWORDS, scheme=st.sampled_from(["postgresql", "PostgreSQL", "postgres+x"]))
def test_open_store_names_no_password_for_any_url(password: str, scheme: str) -> None:
    conninfo = f"{scheme}://user:{password}@127.0.0.1:1/db"
    error = attempt(open_store, conninfo)
    for text in (str(error), repr(error), *map(str, error.args)):
        assert not leaks(password, text), text


def test_an_unknown_url_scheme_is_refused_without_touching_the_file_system(
    tmp_path: object,
) -> None:
    with pytest.raises(StoreError, match="unknown URL scheme 'mysql'") as caught:
        open_store("mysql://root:hunter2hunter@db/app", workflow=lapor_workflow())
    assert "hunter2" not in str(caught.value)


def test_a_refused_connection_still_says_where_and_why() -> None:
    error = attempt(PostgresStore, "postgresql://user:PWsecret@127.0.0.1:1/db")
    assert "connect to the server" in str(error)
    assert "127.0.0.1" in str(error)
    assert "PWsecret" not in str(error)


def test_open_store_takes_a_postgres_scheme_in_any_case() -> None:
    error = attempt(open_store, "PostgreSQL://user:PWsecret@127.0.0.1:1/db")
    assert "connect to the server" in str(error)
