"""Who uses the console and what each person's navigation holds (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

Text = tuple[str, str]  # (Chinese, English)

ROLE_NAMES: dict[str, Text] = {
    "department": ("行业主管部门", "Industry department"),
    "credit_office": ("发改局信用办", "Credit office"),
    "leading_group_office": ("领导小组办公室", "Leading-group office"),
    "leading_group": ("领导小组", "Leading group"),
    "fin_dev_bureau": ("金融发展局", "Financial development bureau"),
    "finance_bureau": ("财政局", "Finance bureau"),
    "auditor": ("审计局", "Auditor"),
    "enterprise": ("企业", "Enterprise"),
    # callers that are systems, as the audit trail names them
    "bank": ("合作银行", "Bank"),
    "provider": ("数据提供单位", "Data provider"),
    "service": ("平台服务", "Platform service"),
    "public": ("公众", "Public"),
}


@dataclass(frozen=True)
class Link:
    key: str  # stable name: to-do counts attach to it
    label: Text
    url: str


PUBLIC_LINKS = (
    Link("list", ("推荐名单", "Recommended list"), "/public/list"),
    Link("notices", ("公示与异议", "Notices & objections"), "/public/notices"),
    Link("dishonesty", ("失信名单", "Dishonesty list"), "/public/dishonesty"),
    Link("letters", ("信用承诺书", "Commitment letters"), "/public/letters"),
    Link("fund", ("基金公开数据", "Fund figures"), "/public/fund"),
)

_APPS = Link("applications", ("入库申请", "Applications"), "/applications")
_ENTERPRISES = Link("enterprises", ("企业信用", "Enterprise credit"), "/enterprises")
_CLAIMS = Link("claims", ("代偿申请", "Claims"), "/claims")
_BATCHES = Link("batches", ("评审批次", "Review batches"), "/batches")

NAV: dict[str, tuple[Link, ...]] = {
    "department": (_APPS, _ENTERPRISES),
    "credit_office": (
        _APPS, _ENTERPRISES,
        Link("reviews", ("复核任务", "Re-reviews"), "/reviews"),
        Link("default_reports", ("恶意逃废债报告", "Malicious-default reports"), "/default-reports"),
        Link("calendar", ("工作日历", "Working-day calendar"), "/calendar"),
    ),
    "leading_group_office": (
        _APPS, _CLAIMS, _BATCHES,
        Link("calendar", ("工作日历", "Working-day calendar"), "/calendar"),
    ),
    "leading_group": (_CLAIMS, _BATCHES),
    "fin_dev_bureau": (
        _CLAIMS,
        Link("banks", ("合作银行", "Banks"), "/banks"),
        Link("stats", ("统计与排名", "Statistics & ranking"), "/stats"),
    ),
    "finance_bureau": (
        Link("fund", ("基金概览", "Fund at a glance"), "/fund"),
        Link("dues", ("应收款项", "Dues"), "/fund/dues"),
        Link("deposits", ("资金注入", "Deposits"), "/fund/deposits"),
        Link("journal", ("流水", "Journal"), "/journal"),
    ),
    "auditor": (
        Link("verification", ("账务核验", "Verification"), "/audit"),
        Link("trail", ("审计轨迹", "Audit trail"), "/audit/trail"),
        Link("journal", ("流水", "Journal"), "/journal"),
        Link("fund", ("基金概览", "Fund at a glance"), "/fund"),
        _CLAIMS,
    ),
    "enterprise": (
        Link("me", ("我的信用", "My credit"), "/me"),
        Link("apply", ("申请入库", "Apply for the list"), "/me/application"),
        Link("authorisations", ("查询授权", "Authorisations"), "/me/authorisations"),
        Link("default_reports", ("关于我的报告", "Reports about me"), "/me/default-reports"),
    ),
}


def nav_for(role: str | None) -> tuple[Link, ...]:
    """The signed-in person's own pages (none for the public)."""
    return NAV.get(role or "", ())


def current_link(links: tuple[Link, ...], path: str) -> str | None:
    """The navigation link a page belongs to: the longest one the path is or lies under (/audit/trail is not /audit)."""
    under = [link for link in links if path == link.url or path.startswith(link.url.rstrip("/") + "/")]
    return max(under, key=lambda link: len(link.url)).key if under else None


def role_name(role: str, lang: str) -> str:
    zh, en = ROLE_NAMES.get(role, (role, role))
    return en if lang == "en" else zh
