"""The cluster is reached safely (README, "On a cluster"): a plain tcp:// scheduler off
loopback is refused before anything is read or sent, unless the user opts in; a tls://
scheduler with certificates made here runs the ingest, on loopback only; a client without
the cluster's certificate is turned away. No test sends traffic beyond 127.0.0.1."""
import datetime
import ipaddress
import logging
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SAMPLES

distributed = pytest.importorskip("distributed")

from reportparse import load  # noqa: E402
from reportparse.run import batch, cluster  # noqa: E402

# documentation addresses (RFC 5737, RFC 3849): never contacted, the refusal comes first
OFF_LOOPBACK = ["tcp://192.0.2.10:8786", "192.0.2.10:8786", "tcp://[2001:db8::1]:8786", "ws://192.0.2.10:8786",
                "tcp://scheduler.example.invalid:8786", "tcp://0.0.0.0:8786"]
LOOPBACK = ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tcp://127.8.9.10:1", "tcp://[::1]:8786",
            "tcp://localhost:8786", "inproc://192.0.2.10/1/2"]


@pytest.mark.parametrize("address", OFF_LOOPBACK)
def test_plain_scheduler_off_loopback_is_refused_unless_the_user_opts_in(address):
    with pytest.raises(cluster.ClusterError, match="--insecure-cluster"):
        cluster.Scheduler(address)
    assert cluster.Scheduler(address, insecure=True).address == address
    with pytest.raises(cluster.ClusterError, match="--insecure-cluster"):
        cluster._client(address)  # the library path refuses too, before any connection


@pytest.mark.parametrize("address", LOOPBACK + ["tls://192.0.2.10:8786", "wss://192.0.2.10:8786"])
def test_loopback_and_encrypted_addresses_are_accepted(address):
    assert cluster.Scheduler(address).address == address


def test_tls_options_need_a_tls_address_and_readable_files(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    with pytest.raises(cluster.ClusterError, match="tls://"):
        cluster.Scheduler("tcp://127.0.0.1:8786", tls_ca_file=str(ca), tls_cert=str(ca))
    with pytest.raises(cluster.ClusterError, match="--tls-cert"):
        cluster.Scheduler("tls://127.0.0.1:8786", tls_ca_file=str(ca))
    with pytest.raises(cluster.ClusterError, match="无法读取"):
        cluster.Scheduler("tls://127.0.0.1:8786", tls_ca_file=str(ca), tls_cert=str(tmp_path / "missing.pem"))


def test_cli_refuses_a_plain_remote_scheduler_at_once(tmp_path):
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "reportparse", "ingest", str(SAMPLES / "wenlv-2024.pdf"),
                        "--out", str(tmp_path / "out"), "--scheduler", "tcp://192.0.2.10:8786"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert line.startswith("reportparse: ") and "\n" not in line
    assert "回环" in line and "tls://" in line and "--insecure-cluster" in line
    assert not (tmp_path / "out").exists()  # refused before the output was touched
    assert time.monotonic() - t0 < 60  # no connection attempt (that would wait 20 s and more)
    r = subprocess.run([sys.executable, "-m", "reportparse", "ingest", str(SAMPLES / "wenlv-2024.pdf"),
                        "--out", str(tmp_path / "out"), "--tls-cert", "x.pem"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "go with --scheduler" in r.stderr


def _certificates(d):
    """A CA and one certificate it signs for 127.0.0.1 and localhost (scheduler, worker and
    client share it here), as PEM files."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def pem_key(key, path):
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test cluster CA")).issuer_name(name("test cluster CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = {"ca": d / "ca.pem", "cert": d / "node.pem", "key": d / "node.key"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem_key(key, files["key"])
    return {k: str(v) for k, v in files.items()}


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """One single-threaded worker behind a TLS-only scheduler, both on 127.0.0.1."""
    from distributed.security import Security
    c = _certificates(tmp_path_factory.mktemp("certs"))
    sec = Security(tls_ca_file=c["ca"], tls_scheduler_cert=c["cert"], tls_scheduler_key=c["key"],
                   tls_worker_cert=c["cert"], tls_worker_key=c["key"], tls_client_cert=c["cert"],
                   tls_client_key=c["key"], require_encryption=True)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tls://",
                                  host="127.0.0.1", security=sec, dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.CRITICAL) as lc:
        assert lc.scheduler_address.startswith("tls://127.0.0.1:")
        yield lc.scheduler_address, c


def test_ingest_over_tls_with_certificates_writes_the_local_pool_s_tables(tls_cluster, tmp_path):
    address, c = tls_cluster
    pdf = SAMPLES / "wenlv-2024.pdf"
    s = batch.ingest([str(pdf)], str(tmp_path / "tls"), {"ocr": False}, progress=False,
                     scheduler=cluster.Scheduler(address, c["ca"], c["cert"], c["key"]))
    assert s.parsed == 1 and not s.failures
    batch.ingest([str(pdf)], str(tmp_path / "local"), {"ocr": False}, jobs=1, progress=False)
    over_tls, local = load(tmp_path / "tls"), load(tmp_path / "local")
    assert over_tls["documents"].status.tolist() == ["ok"]
    assert len(over_tls["measures"]) == len(local["measures"]) > 0
    for table in ("amounts", "items", "checks"):
        assert len(over_tls[table]) == len(local[table])


def test_cli_ingest_over_tls(tls_cluster, tmp_path):
    address, c = tls_cluster
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "reportparse", "ingest", str(SAMPLES / "wenlv-2024.pdf"), "--no-ocr",
                        "--quiet", "--out", str(tmp_path / "out"), "--scheduler", address, "--tls-ca-file", c["ca"],
                        "--tls-cert", c["cert"], "--tls-key", c["key"]],
                       capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "解析 1 个" in r.stdout


def test_a_client_without_the_cluster_s_certificate_is_turned_away(tls_cluster, tmp_path):
    from distributed.security import Security
    address, c = tls_cluster
    stranger = _certificates(tmp_path)  # a certificate from another CA
    for sec in (Security(tls_ca_file=c["ca"], tls_client_cert=stranger["cert"], tls_client_key=stranger["key"],
                         require_encryption=True),
                Security(tls_ca_file=stranger["ca"], tls_client_cert=stranger["cert"],
                         tls_client_key=stranger["key"], require_encryption=True)):
        with pytest.raises((OSError, TimeoutError)):
            distributed.Client(address, security=sec, timeout="3s", set_as_default=False)
    plain = address.replace("tls://", "tcp://")  # no TLS at all: the scheduler does not answer
    with pytest.raises((OSError, TimeoutError)):
        distributed.Client(plain, timeout="3s", set_as_default=False)
