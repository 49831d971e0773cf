"""Demo organisations for dev mode: `make run` prints their tokens; `make demo` uses them."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .auth import Role, issue_token
from .settings import DEV_AUTH_SECRET


@dataclass(frozen=True)
class DemoOrg:
    org_id: str
    role: Role
    name: str
    sources: tuple[str, ...] = ()
    # The person acting for the organisation; two people of one bureau are two entries with a login each,
    # so two-person rules (a reversal proposed by one officer, confirmed by another) can be shown.
    subject: str = ""
    login: str = ""

    @property
    def key(self) -> str:
        """The name the demo and `make credentials` use for this credential."""
        return self.login or self.org_id


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("bank-icbc-ly", Role.BANK, "中国工商银行凌源支行"),
    DemoOrg("bank-ccb-ly", Role.BANK, "中国建设银行凌源支行"),
    DemoOrg("water-ly", Role.PROVIDER, "凌源供水有限公司", ("water",)),
    DemoOrg("power-ly", Role.PROVIDER, "国网凌源市供电公司", ("power",)),
    DemoOrg("gas-ly", Role.PROVIDER, "凌源市液化气有限责任公司", ("gas",)),
    DemoOrg("heating-city", Role.PROVIDER, "城市供热管理办公室", ("heating",)),
    DemoOrg("heating-bk", Role.PROVIDER, "北控智慧能源凌源有限公司", ("heating",)),
    DemoOrg("tax-ly", Role.PROVIDER, "国家税务总局凌源市税务局", ("tax",)),
    DemoOrg("hrss-ly", Role.PROVIDER, "凌源市人力资源和社会保障局", ("social_insurance",)),
    DemoOrg("dept-industry", Role.DEPARTMENT, "凌源市工业和信息化局"),
    DemoOrg("fgj-credit", Role.CREDIT_OFFICE, "凌源市发展和改革局信用办"),
    DemoOrg("lg-office", Role.LEADING_GROUP_OFFICE, "信易贷工作领导小组办公室"),
    DemoOrg("lg", Role.LEADING_GROUP, "凌源市中小微企业信易贷风险缓释基金工作领导小组"),
    DemoOrg("czj", Role.FINANCE_BUREAU, "凌源市财政局", subject="czj-wang"),
    DemoOrg("czj", Role.FINANCE_BUREAU, "凌源市财政局", subject="czj-li", login="czj-checker"),
    DemoOrg("jrj", Role.FIN_DEV_BUREAU, "凌源市金融发展局"),
    DemoOrg("audit-ly", Role.AUDITOR, "凌源市审计局"),
)


def dev_tokens(secret: str = DEV_AUTH_SECRET) -> dict[str, str]:
    """Deterministic, non-expiring tokens for the demo organisations (valid only with the dev secret)."""
    return {
        org.key: issue_token(secret, org_id=org.org_id, role=org.role, name=org.name, sources=org.sources,
                             subject=org.subject, ttl_s=None, issued_at=0)
        for org in DEMO_ORGS
    }


def main() -> None:
    """Print the dev credentials as a table."""
    tokens = dev_tokens()
    out = sys.stdout
    out.write("Dev credentials (dev mode only; send as `Authorization: Bearer <token>`):\n")
    for org in DEMO_ORGS:
        extra = f" sources={','.join(org.sources)}" if org.sources else ""
        extra += f" person={org.subject}" if org.subject else ""
        out.write(f"  {org.key:<14} {org.role:<21}{extra}\n    {tokens[org.key]}\n")


if __name__ == "__main__":
    main()
