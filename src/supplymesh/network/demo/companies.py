"""The demo's enterprises (all fictional), their logins, relations and sharing grants.

Names are invented and checked against nothing but good sense; any likeness to a real company
is accidental. Unified social credit codes have the real structure (GB 32100-2015: registration
authority, type, division code, an organisation code with its GB 11714 check, the final check
character), derived from the enterprise code so they stay the same whatever the seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from supplymesh.network.demo.places import PLANT_PLACES, STORE_CITIES, SUPPLIER_PLACES, Place
from supplymesh.network.model import EnterpriseRole, GrantKind, UserRole

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published password of every demo login
CORE = "HCE"
DISTRIBUTOR = "LFDIST"
RETAILER = "YJRETAIL"
LOGISTICS = "CYLOG"
FINANCIER = "HYFIN"


@dataclass(frozen=True)
class Company:
    """One demo enterprise and, where it has one, its own site (suppliers, the carrier)."""

    code: str
    name: str
    name_en: str
    role: str
    relation: str  # what it is to the core manufacturer: supplier, subcontractor, customer, ...
    place: Place
    supplies: str | None = None  # raw, component or subcontract work, for suppliers
    site_name: str | None = None
    site_name_en: str | None = None
    site_kind: str = "plant"


_PLACES = {p.key: p for p in (*STORE_CITIES, *PLANT_PLACES, *SUPPLIER_PLACES.values())}

# code | 中文名 | English name | role | relation to HCE | place | supplies | site | site (English)
_TABLE = """
HCE|海川电器股份有限公司|Haichuan Appliances Co., Ltd.|manufacturer|self|SHUNDE|||
BLSTEEL|宝临钢材有限公司|Baolin Steel Materials Co., Ltd.|supplier|supplier|TANGSHAN|raw|\
宝临钢材唐山加工中心|Baolin Tangshan Steel Service Centre
JHPLAST|嘉禾塑化有限公司|Jiahe Plastics & Chemicals Co., Ltd.|supplier|supplier|ZHENHAI|raw|\
嘉禾塑化镇海树脂库|Jiahe Zhenhai Resin Warehouse
TXCOPPER|天祥铜材有限公司|Tianxiang Copper Co., Ltd.|supplier|supplier|YINGTAN|raw|\
天祥铜材鹰潭线材厂|Tianxiang Yingtan Wire Mill
RDMOTOR|润达电机有限公司|Runda Motor Co., Ltd.|supplier|supplier|ZHONGSHAN|component|\
润达电机中山工厂|Runda Zhongshan Motor Plant
XCELEC|芯辰电子科技有限公司|Xinchen Electronics Technology Co., Ltd.|supplier|supplier|BAOAN|\
component|芯辰电子宝安SMT工厂|Xinchen Bao'an SMT Plant
HRHEAT|恒热电热元件有限公司|Hengre Heating Elements Co., Ltd.|supplier|supplier|YUYAO|component|\
恒热余姚工厂|Hengre Yuyao Plant
JZCAST|金铸精密压铸有限公司|Jinzhu Precision Die-Casting Co., Ltd.|supplier|supplier|JIANGMEN|\
component|金铸江门压铸厂|Jinzhu Jiangmen Die-Casting Plant
HSMOULD|华塑注塑科技有限公司|Huasu Injection Moulding Technology Co., Ltd.|supplier|\
subcontractor|CHANGAN|subcontract|华塑长安注塑车间|Huasu Chang'an Moulding Shop
JTCOAT|精涂表面处理有限公司|Jingtu Surface Finishing Co., Ltd.|supplier|subcontractor|NANHAI|\
subcontract|精涂南海涂装厂|Jingtu Nanhai Coating Plant
LFDIST|联丰供应链管理有限公司|Lianfeng Supply Chain Management Co., Ltd.|distributor|customer|\
PUDONG|||
YJRETAIL|优家电器连锁有限公司|Youjia Appliance Retail Chain Co., Ltd.|retailer|retailer|NANJING|||
CYLOG|驰远物流有限公司|Chiyuan Logistics Co., Ltd.|logistics|carrier|HUANGPU||\
驰远物流广州黄埔转运中心|Chiyuan Huangpu Cross-Dock, Guangzhou
HYFIN|海岳商业保理有限公司|Haiyue Commercial Factoring Co., Ltd.|financier|financier|FUTIAN|||
"""


def _companies() -> tuple[Company, ...]:
    out = []
    for line in _TABLE.strip().splitlines():
        code, name, name_en, role, relation, place, supplies, site, site_en = line.split("|")
        kind = "warehouse" if role == EnterpriseRole.LOGISTICS.value else "plant"
        where = _PLACES[place]
        out.append(Company(code, name, name_en, role, relation, where, supplies or None))
        if site:
            out[-1] = replace(out[-1], site_name=site, site_name_en=site_en, site_kind=kind)
    return tuple(out)


COMPANIES = _companies()
SUPPLIERS = tuple(c for c in COMPANIES if c.role == EnterpriseRole.SUPPLIER.value)


@dataclass(frozen=True)
class DemoUser:
    """A login: every demo user has the password `DEMO_PASSWORD`."""

    enterprise: str
    username: str
    display_name: str
    role: str


def demo_users() -> tuple[DemoUser, ...]:
    """One admin per enterprise, plus the core manufacturer's planner and operator."""
    users = [
        DemoUser(c.code, f"{c.code.lower()}.admin", f"{c.name[:4]}管理员", UserRole.ADMIN.value)
        for c in COMPANIES
    ]
    users.append(DemoUser(CORE, "hce.planner", "计划员 王敏", UserRole.PLANNER.value))
    users.append(DemoUser(CORE, "hce.operator", "操作员 李强", UserRole.OPERATOR.value))
    return tuple(users)


@dataclass(frozen=True)
class Relation:
    """`owner` calls `partner` its `relation` (supplier, customer, ...)."""

    owner: str
    partner: str
    relation: str


def relations() -> tuple[Relation, ...]:
    """Who trades with whom, seen from each side."""
    out: list[Relation] = []
    for s in SUPPLIERS:
        out.append(Relation(CORE, s.code, s.relation))
        out.append(Relation(s.code, CORE, "customer"))
    out += [
        Relation(CORE, DISTRIBUTOR, "customer"),
        Relation(DISTRIBUTOR, CORE, "supplier"),
        Relation(DISTRIBUTOR, RETAILER, "customer"),
        Relation(RETAILER, DISTRIBUTOR, "supplier"),
        Relation(CORE, LOGISTICS, "carrier"),
        Relation(DISTRIBUTOR, LOGISTICS, "carrier"),
        Relation(LOGISTICS, CORE, "customer"),
        Relation(LOGISTICS, DISTRIBUTOR, "customer"),
        Relation(CORE, FINANCIER, "financier"),
        Relation(FINANCIER, CORE, "customer"),
    ]
    for code in ("BLSTEEL", "HSMOULD", "JTCOAT"):  # SMEs financing their receivables from HCE
        out.append(Relation(code, FINANCIER, "financier"))
        out.append(Relation(FINANCIER, code, "customer"))
    return tuple(out)


@dataclass(frozen=True)
class GrantSpec:
    """`owner` lets `partner` read `kind`; `resource` is the owner's site code or item SKU."""

    owner: str
    partner: str
    kind: str
    resource: str | None = None


def grants(
    dc_codes: list[str], plant_codes: list[str], supplied: dict[str, list[str]]
) -> tuple[GrantSpec, ...]:
    """What partners share: store demand, DC stock, a plant's record, the items they trade."""
    g = GrantKind
    out = [
        GrantSpec(RETAILER, CORE, g.SITE_DEMAND.value),
        GrantSpec(RETAILER, DISTRIBUTOR, g.SITE_DEMAND.value),
        GrantSpec(RETAILER, CORE, g.SITE.value),
        GrantSpec(RETAILER, DISTRIBUTOR, g.SITE.value),
        GrantSpec(RETAILER, DISTRIBUTOR, g.SITE_INVENTORY.value),
        GrantSpec(RETAILER, CORE, g.SITE_INVENTORY.value),
        GrantSpec(CORE, "BLSTEEL", g.SITE.value, plant_codes[0]),
        GrantSpec(CORE, DISTRIBUTOR, g.ITEM.value),
        GrantSpec(CORE, RETAILER, g.ITEM.value),
    ]
    for dc in dc_codes:
        out.append(GrantSpec(DISTRIBUTOR, CORE, g.SITE_INVENTORY.value, dc))
        out.append(GrantSpec(DISTRIBUTOR, CORE, g.SITE.value, dc))
        out.append(GrantSpec(DISTRIBUTOR, RETAILER, g.SITE.value, dc))
    for plant in plant_codes:
        out.append(GrantSpec(CORE, DISTRIBUTOR, g.SITE.value, plant))
    for supplier, skus in sorted(supplied.items()):
        out += [GrantSpec(CORE, supplier, g.ITEM.value, sku) for sku in sorted(skus)]
    return tuple(out)


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(body: str) -> str:
    """`body` (8 digits) with its GB 11714 check character appended."""
    total = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("0" if check == 11 else "X" if check == 10 else str(check))


def uscc_for(code: str, division: str) -> str:
    """A well-formed unified social credit code for a company registered in `division`."""
    digest = hashlib.sha256(f"supplymesh-demo:{code}".encode()).hexdigest()
    body = "".join(str(int(c, 16) % 10) for c in digest[:8])
    first17 = "91" + division + organisation_code(body)
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]
