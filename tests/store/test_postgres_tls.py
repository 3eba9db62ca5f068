"""Connections: TLS by default off this machine, and a real TLS connection checked end to end."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bwvdisclose.errors import StoreError
from bwvdisclose.store.postgres.connect import connect, connect_params, display_url
from bwvdisclose.store.postgres.schema import init_store
from bwvdisclose.store.postgres.store import PostgresStore
from tests.pgcluster import Cluster

from ..case.conftest import open_case


@pytest.mark.parametrize(
    ("url", "sslmode"),
    [
        ("postgresql://u@db.force.example/bwv", "verify-full"),
        ("postgresql://u@db.force.example/bwv?sslmode=require", "require"),
        ("postgresql://u@db.force.example/bwv?sslmode=disable", "disable"),
        ("postgresql://u@localhost/bwv", None),
        ("postgresql://u@127.0.0.1:5433/bwv", None),
        ("postgresql://u@/bwv?host=/run/postgresql", None),
        ("postgresql://u@/bwv?host=/run/postgresql,db.force.example", "verify-full"),
    ],
)
def test_tls_is_required_off_this_machine_unless_the_url_says(
    url: str, sslmode: str | None
) -> None:
    assert connect_params(url).get("sslmode") == sslmode


def test_a_password_never_shows() -> None:
    assert display_url("postgresql://jsmith:hunter2@db/bwv?sslmode=require") == (
        "postgresql://jsmith@db/bwv"
    )
    assert "hunter2" not in display_url("postgres://:hunter2@db/bwv")


def _certificate(folder: Path) -> Path:
    """A self-signed CA-less server certificate for 127.0.0.1; returns it (the root)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bwvdisclose test server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "server.crt"


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Path]]:
    with Cluster(max_connections=20) as cluster:
        root = _certificate(tmp_path_factory.mktemp("tls"))
        for name in ("server.crt", "server.key"):
            shutil.copy(root.parent / name, cluster.data / name)
            if cluster.owner:
                os.chown(cluster.data / name, *cluster.owner)
            os.chmod(cluster.data / name, 0o600)
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\n")
        cluster.restart()
        yield cluster, root


def test_a_store_over_tls_with_the_server_checked(
    tls_cluster: tuple[Cluster, Path], tmp_path: Path
) -> None:
    cluster, root = tls_cluster
    cluster.create_database("tls")
    url = f"{cluster.url('tls', tcp=True)}?sslmode=verify-full&sslrootcert={root}"
    with connect(url) as conn:
        init_store(conn)
        assert conn.info.pgconn.ssl_in_use
    store = PostgresStore(url)
    assert open_case(store).startswith("BWV-")
    store.close()
    # A server whose certificate the client does not trust is refused, in one line.
    other = _certificate(tmp_path)
    wrong = f"{cluster.url('tls', tcp=True)}?sslmode=verify-full&sslrootcert={other}"
    with pytest.raises(StoreError, match="cannot connect to the case store"):
        PostgresStore(wrong).list_ids()
