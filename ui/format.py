"""Number formats for the pages (Chinese conventions, units always shown)."""

from __future__ import annotations

import math

import numpy as np


def _missing(value) -> bool:
    """None, NaN or pandas' NA (whose comparisons are NA, not a bool)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        return bool(value != value)
    except TypeError:  # pd.NA
        return True


def fmt_band(value, low, high) -> str:
    """A forecast with its band: '4.21%（2.10–7.93）', '—' when there is none."""
    return "—" if _missing(value) else f"{value:.2f}%（{low:.2f}–{high:.2f}）"


def fmt_share(value, digits: int = 1) -> str:
    """A share of a target met, cut (not rounded) to ``digits``: 99.96 % reads 99.9 %, so
    a share reads 100 % only when nothing is missing; '—' when missing."""
    if _missing(value):
        return "—"
    scale = 10 ** digits
    return f"{math.floor(float(value) * scale) / scale:,.{digits}f}%"


def floored(values, digits: int = 1):
    """``values`` (a Series or frame of shares) cut to ``digits`` as ``fmt_share`` does,
    for tables: no 100.0 where something is missing."""
    scale = 10 ** digits
    return np.floor(values * scale) / scale


def fmt_pct(value, digits: int = 2) -> str:
    return "—" if _missing(value) else f"{value:.{digits}f}%"


def fmt_int(value) -> str:
    return "—" if _missing(value) else f"{int(round(value)):,}"


def fmt_yuan(value) -> str:
    return "—" if _missing(value) else f"{value:,.0f} 元"


def delta_text(value, target, unit: str, *, lower_is_better: bool = False,
               note: str | None = None) -> str | None:
    """The gap to a target, short enough for a tile: '-4.88 个百分点 · 达标'; ``note``
    replaces 达标/未达标 (a target still ahead: '+15.00 个百分点 · 距2017年目标')."""
    if _missing(value):
        return None
    gap = value - target
    amount = f"{abs(gap):.2f} 个百分点" if unit == "pct" else f"{abs(gap):,.0f} 元"
    met = gap < 0 if lower_is_better else gap >= 0
    return f"{'-' if gap < 0 else '+'}{amount} · {note or ('达标' if met else '未达标')}"


def target_tile_delta(judgement, value, target, unit: str, *, lower_is_better: bool = False) -> dict:
    """``st.metric`` keyword arguments (delta, delta_color, delta_arrow) for a dated target
    (an ``analytics.verdicts.Judgement``), short enough for a tile: before the target year
    the gap to the target ('+13.03 个百分点 · 目标<5%'); from it on the target year's
    result ('2017年未达标（9.09%）', green met, red missed), never a later year's value
    judged against it. The whole sentence is ``judgement.text``."""
    if judgement.state == "pending":
        goal = judgement.text.split(" ", 1)[-1]  # '<5%' of '2017年目标 <5%'
        return {"delta": delta_text(value, target, unit, lower_is_better=lower_is_better,
                                    note=f"目标{goal}"),
                "delta_color": "off", "delta_arrow": "off"}
    shown = judgement.text.split("（", 1)[-1].split("）", 1)[0]
    word = "达标" if judgement.state == "met" else "未达标"
    return {"delta": f"{judgement.target_year}年{word}（{shown}）", "delta_arrow": "off",
            "delta_color": "normal" if judgement.state == "met" else "inverse"}


def source_label(source: str | None) -> str:
    """Where the data came from, in words: 演示数据, 上传的文件, or the imported folder's name
    (the stored source is the command line's: ``demo scale=1 seed=2015``, ``upload: …``, a path)."""
    if not source:
        return "—"
    if source.startswith("demo"):
        return "演示数据"
    if source.startswith("upload: "):
        names = source.removeprefix("upload: ").split(", ")
        return f"上传的 {names[0]}" + (f" 等 {len(names)} 个文件" if len(names) > 1 else "")
    return source.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1]


def judged_target(series, row, column: str, target: float, comparison: str, target_year: int,
                  year: int, unit: str, decimals: int):
    """(the ``Judgement`` of a dated target, the tile's ``st.metric`` keyword arguments):
    ``analytics.verdicts.target_judgement`` of ``column`` in ``series`` (one scope, every
    year) seen from ``year``, shown by ``target_tile_delta`` against ``row``'s value."""
    from analytics.verdicts import target_judgement

    judgement = target_judgement(series, column, target, comparison, target_year, year, unit, decimals)
    return judgement, target_tile_delta(judgement, row[column], target, "pct" if unit == "%" else "yuan",
                                        lower_is_better=comparison == "<")


# The audit trail (analytics.audit) stores who did what in the code's words: its table on
# the 数据 page shows every column's values in Chinese through this one mapping.
def _audit_roles() -> dict[str, str]:
    from analytics.access import ROLES

    return {**ROLES, "cli": "命令行", "?": "未知"}


#: Stored value → label, per column of the audit table. Actors are people's names except
#: those the code writes itself; details are file names, except these words and the
#: patterns of ``audit_detail``.
AUDIT_LABELS: dict[str, dict[str, str]] = {
    "action": {"import": "导入", "import_rejected": "导入被拒绝", "export": "导出",
               "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出登录",
               "build_demo": "生成演示数据"},
    "role": _audit_roles(),
    "actor": {"upload": "网页上传", "first-run": "首次运行", "cli": "命令行", "?": "未知",
              "unknown": "未知"},
    "detail": {"password": "密码", "screen token": "大屏令牌", "oidc": "统一身份认证",
               "bad screen token": "大屏令牌无效", "oidc: no role": "统一身份认证：未分配角色",
               "password: locked": "密码：账户已锁定", "session cookie": "恢复登录（刷新或打开链接）",
               "oidc: email not verified": "统一身份认证：邮箱未验证",
               "": "—"},
}


def audit_detail(detail) -> str:
    """An audit row's detail in words: a sign-in method, the demo's settings
    (``scale=1 seed=2015``), an import's source (``upload: a.csv``, a folder) and its
    problems (``…: 3 problems``), a command-line export (``/srv/out (csv)``); a file name
    stays as it is."""
    import re

    if _missing(detail):
        return "—"
    detail = str(detail)
    if detail in AUDIT_LABELS["detail"]:
        return AUDIT_LABELS["detail"][detail]
    method, sep, address = detail.rpartition(" from ")  # a failed sign-in, with its client
    if sep and method in AUDIT_LABELS["detail"] and address and " " not in address:
        return f"{AUDIT_LABELS['detail'][method]}（{'地址未知' if address == '?' else '来自 ' + address}）"
    if m := re.fullmatch(r"scale=(\S+) seed=(\S+)", detail):
        return f"演示数据（规模 {m.group(1)}，随机种子 {m.group(2)}）"
    if m := re.fullmatch(r"(.+): (\d+) problems?", detail, flags=re.S):
        return f"{audit_detail(m.group(1))}：{int(m.group(2)):,} 个问题"
    if m := re.fullmatch(r"(.+) \((csv|parquet|xlsx|zip)\)", detail, flags=re.S):
        return f"{m.group(1)}（{m.group(2).upper()} 格式）"
    if detail.startswith(("demo", "upload: ")):
        return source_label(detail)
    return detail


def audit_label(column: str, value) -> str:
    """One audit value as the 数据 page shows it (``AUDIT_LABELS``; a name as stored)."""
    if column == "detail":
        return audit_detail(value)
    if _missing(value):
        return "—"
    return AUDIT_LABELS.get(column, {}).get(value, value)


def target_words(targets: dict, key: str, unit: str = "", sep: str = "") -> str:
    """A target in words as ``plans.scope_targets`` gives it: '县目标6,811元、省目标7,000元'
    for a county (its own, and the province's beside it), '省目标7,000元' for the
    province; ``sep`` goes between 目标 and the number."""
    from analytics.plans import PROVINCE_KEYS
    from analytics.verdicts import number

    words = f"{targets['owner']}目标{sep}{number(targets[key])}{unit}"
    other = PROVINCE_KEYS.get(key)
    if targets["owner"] == "县" and other:
        words += f"、省目标{sep}{number(targets[other])}{unit}"
    return words
