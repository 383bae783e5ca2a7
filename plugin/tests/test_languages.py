"""Chinese as well as English: display-width layout, the language check, the catalog's texts per
language, and whole runs of the mini kit in Chinese (summary, friendly failure, speedup table, grading)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from plugin import language_check, messages
from plugin.catalog import load_catalog
from plugin.outputs.width import display_width, pad, wrap
from plugin.tests.minikit import REPO, STUB, add_mistakes_step, add_speed_step, run, write

pytestmark = pytest.mark.timeout(180)

# -- display width ------------------------------------------------------------------------------------


def test_a_chinese_character_takes_two_columns_and_cells_are_padded_by_columns():
    assert display_width("进程池") == 6 and display_width("Pool.map") == 8
    assert pad("进程", 6) == "进程  " and pad("进程", 6, ">") == "  进程"
    assert pad("too long", 3) == "too long"  # never cut


def test_wrapped_chinese_breaks_between_characters_and_english_between_words():
    text = (
        "先启动所有进程，再逐个 join；join() 之后退出码在 process.exitcode 中。"
        "启动一个、join 一个地轮流进行，进程就是一个接一个地运行，而不是并行。"
    )
    lines = wrap(text, 30, initial_indent="  ", subsequent_indent="    ")
    assert len(lines) > 2 and all(display_width(line) <= 30 for line in lines), lines
    assert not any(line.strip()[0] in "，。；、" for line in lines), "closing punctuation never starts a line"
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
    assert "process.exitcode" in "".join(lines), "an English word is never cut"
    english = wrap("Start every process first, then join them all.", 20)
    assert english == ["Start every process", "first, then join", "them all."]


def test_a_line_break_joins_chinese_without_a_space_and_english_with_one():
    assert wrap("第一行。\n第二行。", 80) == ["第一行。第二行。"]
    assert wrap("First line.\nSecond line.", 80) == ["First line. Second line."]


# -- the language check ---------------------------------------------------------------------------------


def test_the_kit_has_every_message_title_hint_and_lesson_in_every_language():
    assert language_check.problems(REPO) == []


def test_a_message_missing_from_a_language_or_with_other_placeholders_is_reported():
    tables = {
        "en": {"todo": "not implemented yet: {location}", "seed.rerun": "seed {seed}: {command}", "x": "x"},
        "zh": {"todo": "尚未实现：{place}", "seed.rerun": "种子 {seed}：{command}", "y": "y"},
    }
    found = language_check.message_problems(tables)
    assert len(found) == 3, found
    assert "message 'x' is in the en table, not in the zh one" in found[0]
    assert "message 'y' is in the zh table, not in the en one" in found[1]
    assert "placeholders ['place'] in the zh table but ['location'] in English" in found[2]


def test_a_catalog_text_or_lesson_in_one_language_only_is_reported(tmp_path):
    write(
        tmp_path / "exercises" / "step1" / "__init__.py",
        'TITLE = "Demo"\nEXERCISES = {"double": {"title": "Double", "title_zh": "翻倍", "hint_zh": "返回 x * 2。"},\n'
        '             "triple": {"title": "Triple", "title_zh": "三倍"}}\n',
    )
    write(tmp_path / "exercises" / "step1" / "README.zh-CN.md", "# 第一步\n")
    write(tmp_path / "README.md", "# Kit\n")
    init = tmp_path / "exercises" / "step1" / "__init__.py"
    assert language_check.catalog_problems(tmp_path) == [
        f"{init}: TITLE has no zh text: add title_zh",
        f"{init}: double hint has no en text: add hint",
    ]
    assert language_check.lesson_problems(tmp_path) == [
        f"{tmp_path / 'README.md'} has no translation: write {tmp_path / 'README.zh-CN.md'} beside it",
        f"{tmp_path / 'exercises/step1/README.zh-CN.md'} has no translation: "
        f"write {tmp_path / 'exercises/step1/README.md'} beside it",
    ]


def test_a_translated_lesson_keeps_the_code_blocks_of_the_english_one(tmp_path):
    write(tmp_path / "exercises" / "step1" / "__init__.py", 'TITLE = "Demo"\nTITLE_ZH = "演示"\nEXERCISES = {}\n')
    write(tmp_path / "exercises" / "step1" / "README.md", "# Step 1\n\n```python\nprint('hi')\n```\n")
    translation = write(
        tmp_path / "exercises" / "step1" / "README.zh-CN.md", "# 第一步\n\n```python\nprint('hi')\n```\n"
    )
    assert language_check.lesson_problems(tmp_path) == []
    translation.write_text("# 第一步\n\n```python\nprint('你好')\n```\n", encoding="utf-8")
    (problem,) = language_check.lesson_problems(tmp_path)
    assert problem.endswith(
        "README.zh-CN.md: its code blocks differ from those of "
        + str(tmp_path / "exercises/step1/README.md")
        + ": copy them unchanged"
    )


def test_the_authoring_check_reports_one_chinese_entry_deleted(monkeypatch, capsys):
    from plugin import authoring

    before = language_check.problems(REPO)
    table = dict(messages.MESSAGES["zh"])
    del table["summary.all_done"]
    monkeypatch.setitem(messages.MESSAGES, "zh", table)
    assert language_check.problems(REPO) == [
        "message 'summary.all_done' is in the en table, not in the zh one: add it",
        *before,
    ]
    assert authoring.main(["--root", str(REPO)]) == 1
    assert "language check: message 'summary.all_done' is in the en table" in capsys.readouterr().out


# -- the catalog in the session's language --------------------------------------------------------------


def test_the_catalog_gives_the_session_language_s_text_and_english_where_a_translation_is_missing(tmp_path):
    write(
        tmp_path / "exercises" / "step1" / "__init__.py",
        'TITLE = "Demo"\nTITLE_ZH = "演示"\n'
        'EXERCISES = {"double": {"title": "Double", "title_zh": "翻倍",\n'
        '                        "hint": "Return 2x.", "hint_zh": "返回 2x。"},\n'
        '             "triple": {"title": "Triple"}}\n',
    )
    write(tmp_path / "exercises" / "step1" / "demo.py", "def double(x):\n    pass\n\ndef triple(x):\n    pass\n")
    previous = messages.language()
    try:
        messages.use_language("zh")
        chinese = load_catalog(tmp_path)
    finally:
        messages.use_language(previous)
    english = load_catalog(tmp_path)
    assert (chinese.steps[0].title, english.steps[0].title) == ("演示", "Demo")
    assert (chinese.exercises["step1.double"].title, chinese.exercises["step1.double"].hint) == ("翻倍", "返回 2x。")
    assert (english.exercises["step1.double"].title, english.exercises["step1.double"].hint) == ("Double", "Return 2x.")
    assert chinese.exercises["step1.triple"].title == "Triple"


# -- whole runs ---------------------------------------------------------------------------------------------

LONG_HINTS = """
TITLE = "Demo step"
TITLE_ZH = "演示步骤"
EXERCISES = {
    "double": {
        "title": "Double a number in a child process and bring it back",
        "title_zh": "在子进程中把数字翻倍，再把结果带回父进程",
        "hint": "Start every process first, then join them all; exit codes are in process.exitcode after join(). "
        "Starting and joining one process at a time runs them one after another, not in parallel.",
        "hint_zh": "先启动所有进程，再逐个 join；join() 之后退出码在 process.exitcode 中。"
        "启动一个、join 一个地轮流进行，进程就是一个接一个地运行，而不是并行。",
    },
    "pids": {"title": "Report worker pids", "title_zh": "报告工作进程的 pid", "hint": "Use a Pool.",
             "hint_zh": "使用进程池。"},
}
"""


def _section(text: str, heading: str) -> list[str]:
    """The lines of the summary section ``heading``, its heading line included, up to the next one."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if heading in line and line.startswith("="))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("=")), len(lines))
    return lines[start:end]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["step1  Demo step", "0/2 done", "Next: step1.double", "hint: Start every process"]),
        ("zh", ["step1  演示步骤", "完成 0/2", "下一个：step1.double —— 在子进程中", "提示：先启动所有进程"]),
    ],
)
def test_the_summary_fits_80_columns_and_its_bars_align_in_both_languages(kit, monkeypatch, language, expected):
    monkeypatch.setenv("COLUMNS", "80")
    add_speed_step(kit)
    write(kit.path / "exercises" / "step1" / "__init__.py", LONG_HINTS)
    result = run(kit, f"--lang={language}")  # the pristine stubs: every exercise todo
    section = _section(result.stdout.str(), "Parallel Lab")
    text = "\n".join(section)
    for phrase in expected:
        assert phrase in text, text
    assert all(display_width(line) <= 80 for line in section), "\n".join(
        f"{display_width(line):3} {line}" for line in section
    )
    assert display_width(section[0]) >= 78, "the heading is as wide as pytest's own"
    bars = [display_width(line[: line.index("[")]) for line in section if line.startswith("step")]
    assert len(bars) == 2 and bars[0] == bars[1], section
    hint_lines = section[section.index(next(line for line in section if expected[3] in line)) :]
    assert len(hint_lines) >= 2, "the hint is wrapped"


def test_a_zh_locale_chooses_chinese_the_option_wins_and_the_json_records_the_language(kit, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = run(kit, "--lab-json=zh.json")
    assert "语言 zh" in result.stdout.str() and "尚未实现：exercises/step1/demo.py:" in result.stdout.str()
    assert json.loads((kit.path / "zh.json").read_text())["environment"]["lang"] == "zh"
    result = run(kit, "--lang=en", "--lab-json=en.json")
    assert (
        "language en" in result.stdout.str() and "not implemented yet: exercises/step1/demo.py:" in result.stdout.str()
    )
    assert json.loads((kit.path / "en.json").read_text())["environment"]["lang"] == "en"


def test_a_bad_language_names_where_it_came_from(kit):
    write(kit.path / "pytest.ini", "[pytest]\ntestpaths = exercises\nlab_lang = fr\n")
    result = run(kit)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini lab_lang = 'fr': choose one of en, zh*"])


def test_a_chinese_run_explains_a_mistake_in_chinese(kit):
    add_mistakes_step(kit)
    result = run(kit, "exercises/step3", "-k", "send_lambda", "--lang=zh")
    result.stdout.fnmatch_lines(["*发送给另一个进程的东西无法序列化（pickle）*请把函数定义在模块顶层*"])
    assert "提示（step3.send_lambda）" in result.stdout.str()


def test_a_chinese_run_shows_the_speedup_table_in_chinese_with_aligned_columns(kit):
    add_speed_step(kit)
    result = run(kit, "--solutions", "exercises/step2", "--lang=zh", "--no-speedup")
    table = _section(result.stdout.str(), "Parallel Lab：加速比")
    heading, row = table[1], table[2]
    assert heading.split()[:3] == ["练习", "进程数", "顺序"] and heading.split()[-1] == "结论", table
    assert row.startswith("step2.total_work") and any(verdict in row for verdict in ("通过", "未测量")), table
    # Every number ends in the terminal column where its (Chinese, right-aligned) heading ends.
    first = len("step2.total_work")
    for column in range(first + 9, first + 9 * 8, 9):
        assert _ends_at(heading, column) and _ends_at(row, column), (column, table)


def _ends_at(line: str, column: int) -> bool:
    """Whether a cell of ``line`` ends at display ``column``: a character there, a space after it."""
    cells = [cell for char in line for cell in ([char] if display_width(char) < 2 else [char, char])]
    return cells[column - 1] != " " and cells[column] == " "


def test_the_grading_command_writes_chinese_outputs_with_lang_zh(kit, tmp_path):
    learner = tmp_path / "learner"
    write(learner / "step1" / "demo.py", STUB)
    gradescope = tmp_path / "gradescope.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "plugin.grade",
            str(learner),
            f"--kit={kit.path}",
            "--lang=zh",
            f"--gradescope={gradescope}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    document = json.loads(gradescope.read_text())
    assert document["output"].startswith("Parallel Lab：0 / 5 分；2 个练习中完成了 0 个"), document["output"]
    double = document["tests"][0]
    assert double["name"] == "step1.double：把数字翻倍"
    assert "2 个测试中通过了 0 个" in double["output"] and "提示：想想乘法。" in double["output"]
    assert "尚未实现：step1/demo.py:" in double["output"], double["output"]
    assert "Parallel Lab：0 / 5 分" in completed.stdout


# -- lab ------------------------------------------------------------------------------------------------------


def test_lab_speaks_chinese_with_lang_and_passes_it_on_to_pytest(tmp_path, monkeypatch, capsys):
    from plugin.lab import cli
    from plugin.tests.labkit import copy_kit

    monkeypatch.setattr(messages, "_language", messages.language())  # lab chooses it for the whole process
    kit_copy = copy_kit(tmp_path / "kit")
    monkeypatch.chdir(kit_copy)
    assert cli.main(["--lang", "zh", "list"]) == 1
    listing = capsys.readouterr().out.splitlines()
    steps = [line for line in listing if line.startswith("step") and "[" in line]
    assert steps[0].startswith("step1  进程 ") and "完成 0/4" in steps[0], listing
    assert len({display_width(line[: line.index("[")]) for line in steps}) == 1, "the bars align"
    rows = [line for line in listing if line.startswith("  ")]
    assert all("待完成" in row for row in rows) and len({display_width(row[: row.index(" 分 ")]) for row in rows}) == 1
    assert cli.main(["run", "step1.run_workers", "--lang", "zh"]) == 1
    assert re.search(r"状态：待完成（通过 0/\d+ 个测试）", capsys.readouterr().out)  # however many tests it has
    assert "语言 zh" in (kit_copy / ".lab-last-run.log").read_text()


def test_the_chart_puts_an_installed_font_with_chinese_glyphs_first(monkeypatch):
    from matplotlib import font_manager

    from plugin.outputs import chart

    installed = [font_manager.FontEntry(name=name) for name in ("DejaVu Sans", "WenQuanYi Zen Hei", "SimHei")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", installed)
    fonts = chart.sans_serif_fonts()
    assert fonts[0] == "SimHei" and "WenQuanYi Zen Hei" not in fonts and "DejaVu Sans" in fonts
    monkeypatch.setattr(font_manager.fontManager, "ttflist", installed[:1])
    assert chart.sans_serif_fonts()[0] == "DejaVu Sans"


def test_class_grading_passes_the_language_on_to_each_submission_s_grading(monkeypatch):
    from plugin.grading import class_runs

    commands = []
    monkeypatch.setattr(
        class_runs, "_run_bounded", lambda command, limit, cwd: commands.append(command) or {"returncode": 2}
    )
    class_runs.grade_files({}, None, 5, "spawn", "zh")
    ((command,),) = [commands]
    assert command[1:3] == ["-m", "plugin.grade"] and "--lang=zh" in command
