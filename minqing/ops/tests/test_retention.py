"""The keep-daily/weekly/monthly policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from minqing.ops.retention import archives_in, prune, to_keep


def make(directory, when: datetime):
    path = directory / f"minqing-{when:%Y%m%d-%H%M%S}.tar"
    path.write_bytes(b"x")
    path.with_name(path.name + ".sha256").write_text("x")
    return path


def test_default_scheme_keeps_7_daily_4_weekly_12_monthly(tmp_path):
    start = datetime(2026, 6, 30, 2, 0)
    for day in range(400):  # one archive a night, plus a second one on the newest night
        make(tmp_path, start - timedelta(days=day))
    make(tmp_path, start + timedelta(hours=12))
    deleted = prune(tmp_path, 7, 4, 12)
    kept = [when for when, _ in archives_in(tmp_path)]
    assert kept[0] == start + timedelta(hours=12)  # the newest of a day, not the first
    assert [d.date() for d in kept[:7]] == [(start - timedelta(days=i)).date() for i in range(7)]
    assert len({d.isocalendar()[:2] for d in kept}) >= 4
    assert len({(d.year, d.month) for d in kept}) == 12
    assert len(kept) == len(to_keep(archives_in(tmp_path), 7, 4, 12))
    assert 12 <= len(kept) <= 23 and len(deleted) == 401 - len(kept)
    assert not any(p.with_name(p.name + ".sha256").exists() for p in deleted)


def test_prune_ignores_other_files_and_protects_the_new_archive(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("keep me")
    odd = tmp_path / "minqing-latest.tar"
    odd.write_text("not a dated archive")
    new = make(tmp_path, datetime(2026, 1, 1))
    assert prune(tmp_path, 0, 0, 0, protect=[new]) == []
    assert other.exists() and odd.exists() and new.exists()
