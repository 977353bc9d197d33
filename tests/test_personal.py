"""Personal data in items: identity numbers and bank cards stop publication, a person's
mobile number is a warning; each named masked with its line, and no false alarms."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import item, make_platform
from louyu.platform import personal
from louyu.platform.personal import find_bank_cards, find_mobile_numbers, luhn_ok, published_phones


def with_check_digit(prefix: str) -> str:
    """`prefix` completed with the digit that makes its Luhn check pass."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


CARD = with_check_digit("622202123456789012")  # 19 digits, UnionPay
VISA = with_check_digit("411111111111111")  # 16 digits


@pytest.mark.parametrize("text, masked", [
    ("联系人：13812345678", "138****5678"),
    ("电话 138-1234-5678。", "138****5678"),
    ("手机 139 1234 5678", "139****5678"),
    ("+86 13712345678", "137****5678"),
    ("+8615912345678", "159****5678"),
])
def test_mobile_numbers_are_found_and_masked(text: str, masked: str) -> None:
    assert find_mobile_numbers(text) == [(1, masked)]


@pytest.mark.parametrize("text", [
    "订单号 2026112113812345678",  # inside a longer run of digits
    "编号 A13812345678 / 13812345678B",  # part of a code
    "日期 2026-11-21 14:00，座机 0523-86881234",  # dates and landlines
    "金额 12345678901 元",  # 11 digits that do not start 1[3-9]
    "138123456789",  # 12 digits
    "1381234 5678",  # not grouped as 3-4-4
])
def test_no_false_alarm_for_numbers_that_are_not_mobile_numbers(text: str) -> None:
    assert find_mobile_numbers(text) == []


def test_a_stations_published_phone_is_not_a_persons() -> None:
    phones = published_phones(["138 0000 1111", "+86 139-0000-2222", "0523-86881234"])
    assert find_mobile_numbers("站点电话 13800001111，值班 13900002222", phones) == []
    assert find_mobile_numbers("李书记 13712345678", phones) == [(1, "137****5678")]


def test_bank_cards_pass_the_luhn_check_and_a_network_prefix() -> None:
    grouped = " ".join(CARD[k : k + 4] for k in range(0, len(CARD), 4))
    text = f"卡号 {CARD}\n转账至 {grouped}\n信用卡 {VISA}"
    assert find_bank_cards(text) == [(1, f"6222 **** **** {CARD[-4:]}"), (2, f"6222 **** **** {CARD[-4:]}"), (3, f"4111 **** **** {VISA[-4:]}")]
    wrong = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    order = with_check_digit("202611210000123")  # passes Luhn, but no card network starts 20
    assert find_bank_cards(f"卡号 {wrong}；订单号 {order}；流水 9{CARD}；编号 X{VISA}") == []
    assert find_bank_cards("身份证 11010519491231002X") == []


def test_check_names_each_with_its_line_and_the_build_refuses_cards(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {
        "content/a/news/contact.md": item("联系方式", "a-admin", body=f"报名请联系 13812345678。\n\n捐款账户 {CARD}。"),
    })
    p.write("stations/a.yml", (p.root / "stations/a.yml").read_text("utf-8") + "phone: 139-0000-2222\n")
    p.write("content/a/news/station.md", item("站点电话", "a-admin", body="咨询电话 13900002222。"))
    result = p.cli("check")
    assert result.exit_code == 1, result.output
    assert "content/a/news/contact.md:7: 警告：含有手机号码 138****5678" in result.output
    assert f"content/a/news/contact.md:9: 含有银行卡号 6222 **** **** {CARD[-4:]}：个人信息不得公开，请删除" in result.output
    assert CARD not in result.output and "13812345678" not in result.output  # masked
    assert "station.md" not in result.output  # the station's own published phone


# -- the whole text searched at once gives what a search line by line gave ----------------


def line_by_line(text: str, pattern: "re.Pattern[str]") -> list[tuple[int, str]]:
    """Each line's matches of `pattern` as (line, text): how the finders searched before."""
    return [(n, m.group(0)) for n, line in enumerate(text.splitlines(), start=1) for m in pattern.finditer(line)]


def whole_text(text: str, pattern: "re.Pattern[str]") -> list[tuple[int, str]]:
    lines = personal._Lines(text)
    return [(lines.of(m.start()), m.group(0)) for m in pattern.finditer(text)]


PIECES = ["1", "3", "8", "6", "2", "0", "9", "X", "x", "a", "-", " ", "+86", "\n", "\r\n", "\r", "\u2028", "\x85", "\x0c", "号", "：",
          "13812345678", "138-1234-5678", "110105194912310025", CARD, "6222 0212 3456 7890 12"]


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_searching_the_whole_text_finds_what_each_line_held(text: str) -> None:
    for pattern in (personal._CANDIDATE, personal._MOBILE, personal._CARD):
        assert whole_text(text, pattern) == line_by_line(text, pattern)


def test_the_line_of_a_number_after_other_line_breaks() -> None:
    text = "第一行\r\n第二行\u2028第三行\x85\n联系人：13812345678"
    assert find_mobile_numbers(text) == [(5, "138****5678")]
