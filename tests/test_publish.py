"""`fleetscope publish`: a folder and fsspec's memory:// filesystem receive exactly the rendered
files, changed files only, the index last; bad destinations are `Error:` with exit 2."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import fsspec
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli
from fleetscope.ops.publish import MANIFEST, publish_site, site_url

# A rendered site in miniature: index, shared js, one week's pages, a render's temporary file.
FILES = {
    "index.html": "<a href='2026-W47/leadership.html'>W47</a>",
    "plotly.min.js": "/* plotly */",
    "2026-W47/leadership.html": "<h1>W47</h1>",
    "2026-W47/manifest.json": "{}",
    "2026-W47/teams/payments.html": "<h1>payments</h1>",
    "2026-W47/teams/payments.csv": "team,cost\npayments,6500\n",
}


def make_site(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "2026-W47" / ".leadership.html.abc.tmp").write_text("half", encoding="utf-8")
    return root


def same_tree(left: Path, right: Path) -> None:
    """Every file of `left` (hidden ones aside) is in `right` with the same bytes, and back."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)}
    assert files(left) == files(right)
    for rel in files(left):
        assert filecmp.cmp(left / rel, right / rel, shallow=False), rel


def publish(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["publish", *args])
    return result.exit_code, result.stdout, result.stderr


def test_folder_equals_the_rendered_one_and_a_second_publish_sends_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    dest = tmp_path / "www"
    code, out, err = publish("--reports", str(site), "--to", str(dest))
    assert code == 0, err
    sent = out.split()
    # 6 files, the temporary one left out; the index after every page it links to
    assert sorted(sent) == sorted(FILES) and sent[-1] == "index.html"
    assert "6 file(s) uploaded, 0 unchanged" in err
    same_tree(site, dest)
    manifest = json.loads((dest / MANIFEST).read_text())
    assert set(manifest) == set(FILES)

    code, out, err = publish("--reports", str(site), "--to", str(dest))
    assert code == 0 and out == "" and "0 file(s) uploaded, 6 unchanged" in err

    # One page changes and one vanished at the destination: those two, nothing else.
    (site / "2026-W47/teams/payments.html").write_text("<h1>payments v2</h1>")
    (dest / "plotly.min.js").unlink()
    code, out, err = publish("--reports", str(site), "--to", str(dest))
    assert code == 0 and out.split() == ["2026-W47/teams/payments.html", "plotly.min.js"]
    same_tree(site, dest)


def test_memory_filesystem_through_fsspec(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    result = publish_site(site, "memory://reports/fleetscope")
    assert result.uploaded[-1] == "index.html" and len(result.uploaded) == 6
    fs = fsspec.filesystem("memory")
    for rel, text in FILES.items():
        assert fs.cat_file(f"/reports/fleetscope/{rel}").decode() == text
    assert not fs.exists("/reports/fleetscope/2026-W47/.leadership.html.abc.tmp")
    # The new index changes alone: only it goes up.
    (site / "index.html").write_text("<a href='2026-W48/leadership.html'>W48</a>")
    again = publish_site(site, "memory://reports/fleetscope")
    assert again.uploaded == ["index.html"] and again.unchanged == 5
    fs.rm("/reports", recursive=True)


def test_bad_destinations_and_sources(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    code, _, err = publish("--reports", str(site), "--to", "nosuchproto://bucket/x")
    assert code == 2 and "Error: publish --to 'nosuchproto://bucket/x'" in err
    code, _, err = publish("--reports", str(site))
    assert code == 2 and "Error: publish: no destination" in err
    code, _, err = publish("--reports", str(tmp_path / "empty"), "--to", str(tmp_path / "w"))
    assert code == 1 and "no index.html; render the reports first" in err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize(("to", "configured", "expected"), [
    ("s3://b/r", "https://reports.example.com", "https://reports.example.com/"),
    ("s3://b/r", None, "s3://b/r/"),
    (None, None, None),
])
def test_site_url(to: str | None, configured: str | None, expected: str | None) -> None:
    assert site_url(to, configured) == expected


def test_site_url_of_a_folder_is_a_file_url(tmp_path: Path) -> None:
    assert site_url(str(tmp_path / "www"), None) == (tmp_path / "www").as_uri() + "/"
