"""import_areas on good and broken files: idempotent, all-or-nothing, clear Chinese reasons."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minqing.areas.models import Area

YUPING = Path(__file__).resolve().parents[1] / "data" / "520622-yuping.csv"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_areas", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, name="areas.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_yuping_imports_and_reimport_changes_nothing():
    out, _ = run(str(YUPING))
    assert "新增 113" in out
    assert Area.objects.filter(level="township").count() == 8
    assert Area.objects.filter(level="village").count() == 102
    assert Area.objects.get(code="520622102211").name.startswith("鱼塘村")
    out, _ = run(str(YUPING))
    assert "新增 0" in out and "未变 113" in out
    assert Area.objects.count() == 113


@pytest.mark.django_db
def test_rename_is_an_update(tmp_path):
    run(str(YUPING))
    text = YUPING.read_text(encoding="utf-8").replace(",鱼塘村村民委员会,", ",鱼塘村,")
    out, _ = run(write(tmp_path, text))
    assert "更新 1" in out
    assert Area.objects.get(code="520622102211").name == "鱼塘村"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("52,贵州省,province,\n520622,玉屏,county,5206\n", "不存在"),  # orphan: parent 5206 missing
        ("52,贵州省,province,\n52x1,坏,city,52\n", "数字"),
        ("52,贵州省,province,\n5206,铜仁市,city,52\n5206,铜仁市,city,52\n", "重复"),
        ("52,贵州省,province,\n520,短,city,52\n", "4 位"),
        ("52,贵州省,province,\n5206,铜仁市,town,52\n", "未知的层级"),
        ("52,贵州省,province,\n5306,错,city,52\n", "不一致"),
        ("52,贵州省,province,\n5206,,city,52\n", "名称不能为空"),
    ],
)
def test_broken_files_write_nothing(tmp_path, body, reason):
    path = write(tmp_path, "code,name,level,parent_code\n" + body)
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何区划"):
        call_command("import_areas", path, stdout=StringIO(), stderr=err)
    assert reason in err.getvalue()
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_unknown_header(tmp_path):
    with pytest.raises(CommandError, match="无法识别"):
        run(write(tmp_path, "a,b,c\n1,2,3\n"))


@pytest.mark.django_db
def test_missing_file():
    with pytest.raises(CommandError, match="找不到文件"):
        run("/nonexistent/areas.csv")


@pytest.mark.django_db
def test_national_villages_layout_with_county_filter(tmp_path):
    body = (
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        "520622102211,鱼塘村村民委员会,520622102,52,5206,520622\n"
        "520622200204,沙子坳村村民委员会,520622200,52,5206,520622\n"
        "330802001001,别处社区,330802001,33,3308,330802\n"
    )
    run(str(YUPING))
    run(write(tmp_path, body, "villages.csv"), "--county", "520622")
    assert Area.objects.filter(code__startswith="33").count() == 0
    assert Area.objects.get(code="520622102211").parent.code == "520622102"
    assert Area.objects.get(code="520622102").name == "朱家场镇"  # known names are kept


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    out, _ = run(str(YUPING), "--dry-run")
    assert "试运行" in out
    assert Area.objects.count() == 0
