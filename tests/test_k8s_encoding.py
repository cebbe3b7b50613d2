"""A List that is not UTF-8: a clean `Error: <file>: not UTF-8 at byte <offset>` (exit 3)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from k8s_objects import as_list, container, pod

from fleetscope.cli import cli
from fleetscope.collectors.kubernetes.decode import decode_page, first_bad_utf8
from fleetscope.collectors.kubernetes.reader import read_list_file
from fleetscope.errors import InputError

WHEN = datetime(2026, 11, 20, 12)


def _body(**labels: str) -> bytes:
    item = pod(
        "checkout-1", "shop", [container("app", "shop:1", {"cpu": "500m"})], labels=labels or None
    )
    return json.dumps(as_list([item]), ensure_ascii=False).encode()


def test_a_latin1_byte_in_a_pod_name_is_refused_with_its_offset(tmp_path):
    body = _body().replace(b"checkout-1", b"checkout-\xe91")  # Latin-1 e-acute
    path = tmp_path / "snap.json"
    path.write_bytes(body)
    with pytest.raises(InputError) as err:
        read_list_file(path, cluster="prod", collected_at=WHEN)
    offset = body.index(b"\xe9")
    assert (
        str(err.value) == f"{path}: not UTF-8 at byte {offset} (b'\\xe9'; JSON text must be UTF-8)"
    )


def test_a_bad_byte_in_a_field_not_read_is_refused_too(tmp_path):
    # msgspec skips the fields fleetscope does not read without checking them: the file is
    # checked as a whole first
    document = as_list([pod("checkout-1", "shop", [container("app", "shop:1")])])
    document["items"][0]["spec"]["containers"][0]["env"] = [{"name": "GREETING", "value": "MARKER"}]
    body = json.dumps(document).encode().replace(b"MARKER", b"gr\xfc\xdf")
    path = tmp_path / "snap.json"
    path.write_bytes(body)
    offset = body.index(b"\xfc")
    with pytest.raises(InputError, match=f"not UTF-8 at byte {offset} "):
        read_list_file(path, cluster="prod", collected_at=WHEN)


def test_utf8_text_loads(tmp_path):
    path = tmp_path / "snap.json"
    path.write_bytes(_body(team="zahlungs-dienst-ü-💸"))
    pods = read_list_file(path, cluster="prod", collected_at=WHEN).tables["raw_k8s_pods"]
    assert json.loads(pods["labels"][0]) == {"team": "zahlungs-dienst-ü-💸"}


def test_offsets_are_of_the_file_across_the_checked_chunks():
    # 1 MiB chunks: a character cut by a chunk's end, then a bad byte just after it
    head = b"x" * ((1 << 20) - 1)
    body = head + "é".encode() + b"\xff"
    assert first_bad_utf8(body) == len(head) + 2
    assert first_bad_utf8(head + "é".encode()) is None
    assert first_bad_utf8(head + b"\xc3") == len(head)  # truncated at the end of the file
    assert first_bad_utf8(b"") is None


def test_a_live_page_that_is_not_utf8_is_an_input_error():
    body = b'{"items": [{"metadata": {"name": "a\xff"}}]}'
    with pytest.raises(InputError, match=r"^GET /api/v1/pods page 0: not UTF-8 at byte 35 "):
        decode_page("Pod", body, where="GET /api/v1/pods page 0")
    assert body.index(b"\xff") == 35


def test_cli_exit_3_names_file_and_offset(tmp_path, warehouse_path, cli_runner):
    body = _body().replace(b"checkout-1", b"checkout-\xff1")
    path = tmp_path / "snap.json"
    path.write_bytes(body)
    result = cli_runner.invoke(
        cli,
        [
            "--warehouse",
            str(warehouse_path),
            "collect",
            "kubernetes",
            "--from-file",
            str(path),
            "--cluster",
            "prod",
        ],
    )
    assert result.exit_code == 3, result.output
    offset = body.index(b"\xff")
    assert f"Error: {path}: not UTF-8 at byte {offset} " in result.stderr
    assert "Traceback" not in result.output
