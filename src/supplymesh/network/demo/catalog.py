"""Haichuan's finished goods and the item master, BOMs and routings built from them.

Each category has a few platforms (a size or feature level) sold in a few colours; a SKU is
platform × colour. Popularity (platform weight × colour weight) drives demand; a platform with a
launch date is a new product whose history starts then. Names and model numbers are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from supplymesh.network.demo.companies import CORE
from supplymesh.network.demo.parts import PARTS, SCRAP_PCT
from supplymesh.network.demo.scale import Scale

GS1_PREFIX = "6958810"  # a fictional GS1 China company prefix for Haichuan

# key | 中文 | English | model prefix | plant | colours | units a case | cases a pallet |
# assembly minutes | parts every platform uses
_CATEGORIES = """
rice_cooker|电饭煲|Rice Cooker|FD|0|WH GR RD|2|24|3.5|H-RC:1 CORD-A:1
pressure_cooker|电压力锅|Pressure Cooker|YL|0|WH GR|2|20|4.5|H-PC:1 CORD-A:1 PCB-MC:1 HE-PC:1
kettle|电水壶|Kettle|KT|0|WH GR GN|6|30|1.6|H-KT:1 HE-KT:1 CORD-A:1
health_pot|养生壶|Health Pot|YS|0|WH GN|4|30|2.0|H-HP:1 HE-HP:1 PCB-KT:1 CORD-A:1
air_fryer|空气炸锅|Air Fryer|KZ|0|WH GR GN|1|40|4.0|H-AF:1 M-AF:1 HE-AF:1 PCB-AF:1 CORD-A:1
blender|破壁机|Blender|PB|0|WH GR RD|2|24|3.8|H-BL:1 M-BL:1 PCB-BL:1 CORD-A:1
induction_cooker|电磁炉|Induction Cooker|DC|0|WH GR|4|30|2.8|H-IC:1 PCB-IC:1 CORD-B:1
fan|电风扇|Fan|FN|1|WH GR GN|1|40|3.0|PCB-FAN:1 M-SYN:1 CORD-A:1
heater|取暖器|Heater|QN|1|WH GR RD|1|30|3.2|PCB-HT:1 CORD-B:1
humidifier|加湿器|Humidifier|JS|1|WH GN|4|30|1.8|H-HUM:1 PCB-HUM:1 CORD-A:1
dehumidifier|除湿机|Dehumidifier|CS|1|WH GR|1|16|9.0|H-DH:1 PCB-DH:1 CMP-12:1 M-AC:1 CORD-A:1
electric_blanket|电热毯|Electric Blanket|DT|1|-|6|40|2.2|PCB-EB:1 CORD-A:1
garment_steamer|挂烫机|Garment Steamer|GT|1|WH GN|2|30|2.4|H-GS:1 HE-ST:1 PCB-ST:1 CORD-A:1
hair_dryer|电吹风|Hair Dryer|CF|1|WH GR RD|10|40|1.5|H-HD:1 HE-HD:1 CORD-A:1
accessory|配件|Accessory|PJ|0|-|24|40|0.4|
"""

# category | platform | 中文 | English | price CNY | popularity | kg | extra parts | launched
_PLATFORMS = """
rice_cooker|16M|1.6L迷你机械|1.6 L Mini Mechanical|119|0.5|2.0|CPOT-16:1 HE-RC:1 PCB-MECH:1|
rice_cooker|30M|3L机械|3 L Mechanical|149|0.9|2.8|CPOT-30:1 HE-RC:1 PCB-MECH:1|
rice_cooker|40S|4L智能|4 L Smart|259|1.0|3.4|CPOT-40:1 HE-RC:1 PCB-MC:1|
rice_cooker|50S|5L智能|5 L Smart|299|0.8|3.9|CPOT-50:1 HE-RC:1 PCB-MC:1|
rice_cooker|40IH|4L IH电磁加热|4 L IH Induction|599|0.35|4.2|CPOT-40:1 PCB-IH:1 CU-EW-05:0.15|
pressure_cooker|50S|5L智能|5 L Smart|349|0.8|4.8|CPOT-50:1|
pressure_cooker|60S|6L智能|6 L Smart|399|0.6|5.3|CPOT-60:1|
pressure_cooker|50D|5L双胆|5 L Twin-Pot|449|0.4|5.6|CPOT-50:2|
kettle|15S|1.5L不锈钢|1.5 L Stainless|69|0.9|1.0|KB-15:1|
kettle|17S|1.7L不锈钢|1.7 L Stainless|89|1.0|1.1|KB-17:1|
kettle|17D|1.7L双层防烫|1.7 L Double-Wall|129|0.7|1.3|KB-17:1 H-KT:1|
kettle|17T|1.7L恒温|1.7 L Thermostatic|169|0.5|1.3|KB-17:1 PCB-KT:1|
kettle|08T|0.8L便携|0.8 L Travel|79|0.3|0.7|KB-08:1|2025-05-01
health_pot|15G|1.5L|1.5 L|159|0.6|1.6||
health_pot|18G|1.8L多功能|1.8 L Multi-Function|199|0.5|1.8||
air_fryer|35D|3.5L触控|3.5 L Touch|199|0.8|3.6|CPOT-30:1|
air_fryer|50D|5L大容量|5 L Family|299|0.9|4.5|CPOT-50:1|
air_fryer|60V|6L可视窗|6 L See-Through|399|0.5|5.2|CPOT-60:1|2025-03-01
blender|12B|1.2L|1.2 L|399|0.5|4.0||
blender|17Q|1.75L静音|1.75 L Quiet|699|0.3|5.2||
blender|10D|1L豆浆机|1 L Soymilk Maker|299|0.6|2.6|HE-HP:1|
induction_cooker|21T|2100W触控|2100 W Touch|199|0.8|2.6|CU-EW-05:0.25|
induction_cooker|22K|2200W旋钮|2200 W Knob|159|0.7|2.5|CU-EW-05:0.25|
induction_cooker|23H|2300W火锅|2300 W Hot-Pot|229|0.4|2.8|CU-EW-05:0.28|
fan|30D|12寸台式|12-inch Desk|89|0.8|2.6|H-FAN-S:1 FB-30:1 FGD-30:1 M-AC:1|
fan|40S|16寸落地|16-inch Stand|159|1.0|5.0|H-FAN-L:1 FB-40:1 FGD-40:1 M-AC:1|
fan|40R|16寸遥控落地|16-inch Remote Stand|199|0.7|5.2|H-FAN-L:1 FB-40:1 FGD-40:1 M-DC:1|
fan|90T|无叶塔式|Tower|299|0.5|4.4|H-FAN-L:1 M-DC:1|
fan|23C|9寸空气循环|9-inch Air Circulator|259|0.6|2.9|H-FAN-S:1 FB-30:1 FGD-30:1 M-DC:1|2025-04-01
fan|40W|16寸壁挂|16-inch Wall|139|0.35|3.6|H-FAN-S:1 FB-40:1 FGD-40:1 M-AC:1|
heater|13F|13片油汀|13-Fin Oil Radiator|399|0.7|12.5|RAD-13:1 HE-OIL:1 H-HT:1|
heater|20P|PTC暖风机|PTC Fan Heater|159|1.0|2.2|HE-PTC:1 H-HT:1 M-AC:1|
heater|22C|对流|Convector|299|0.6|5.5|HE-PTC:1 H-HT:1|
heater|12C|碳纤维|Carbon Fibre|199|0.5|3.1|HE-CF:1 H-HT:1|
humidifier|40U|4L超声波|4 L Ultrasonic|129|1.0|1.6||
humidifier|50E|5L无雾蒸发式|5 L Evaporative|299|0.5|2.4|M-DC:1|
humidifier|25U|2.5L迷你|2.5 L Mini|89|0.7|1.1||
dehumidifier|12D|12升/天|12 L/day|899|0.6|11.5||
dehumidifier|20D|20升/天|20 L/day|1299|0.4|14.0||
electric_blanket|150S|单人1.5×0.7米|Single 1.5×0.7 m|99|0.8|1.0|HE-WIRE:12|
electric_blanket|180D|双人1.8×1.5米|Double 1.8×1.5 m|159|1.0|1.6|HE-WIRE:20|
electric_blanket|200D|双控2.0×1.8米|Dual-Control 2.0×1.8 m|229|0.6|2.1|HE-WIRE:25|
garment_steamer|20H|手持|Handheld|129|0.9|1.2||
garment_steamer|18V|1.8L立式|1.8 L Upright|299|0.5|5.8||
hair_dryer|18A|1800W负离子|1800 W Ionic|79|1.0|0.6|M-DC:1|
hair_dryer|20B|2000W高速|2000 W High-Speed|399|0.45|0.5|M-HS:1 PCB-HD:1|2025-08-15
accessory|POT40|4L电饭煲内胆|Inner Pot for 4 L Rice Cookers|89|0.3|0.7|CPOT-40:1|
accessory|POT50|5L电饭煲内胆|Inner Pot for 5 L Rice Cookers|99|0.2|0.8|CPOT-50:1|
accessory|DSC|柠檬酸除垢剂(4袋)|Citric Acid Descaler, 4 Sachets|19.9|0.3|0.1||
accessory|CRD|电源线|Spare Power Cord|29|0.1|0.2|CORD-A:1|
"""

COLOURS = {"WH": ("白色", "White", 1.0), "GR": ("星空灰", "Grey", 0.6)}
COLOURS |= {"RD": ("中国红", "Red", 0.35), "GN": ("薄荷绿", "Mint", 0.3)}

TINY_SKUS = ("HC-FD40S-WH", "HC-KT17S-WH", "HC-FN40S-WH", "HC-QN20P-WH", "HC-PJ-DSC")
# Bought in finished and resold under Haichuan's brand: source enterprise, shelf life in days.
_BOUGHT_IN = {"HC-PJ-DSC": ("JHPLAST", 730)}


@dataclass(frozen=True)
class ItemSpec:
    """One row of the item master, before it has an id."""

    sku: str
    name: str
    name_en: str
    item_type: str
    category: str
    base_unit: str
    weight_kg: Decimal
    volume_m3: Decimal
    price: Decimal
    units: tuple[tuple[str, Decimal], ...]
    source: str  # CORE when made in house, else the supplying enterprise
    plant: int
    gtin: str | None = None
    shelf_life_days: int | None = None


@dataclass(frozen=True)
class Product:
    """A finished good's demand traits."""

    sku: str
    category: str
    colour: str
    price: Decimal
    popularity: float
    launched: date | None


@dataclass(frozen=True)
class BomSpec:
    """`quantity_per` base units of `component` per base unit of `parent`."""

    parent: str
    component: str
    quantity_per: Decimal
    scrap_pct: Decimal


@dataclass(frozen=True)
class RoutingSpec:
    """One operation of a made item at a plant's work centre; minutes."""

    sku: str
    sequence: int
    work_center: str  # kind: STAMP, WIRE, ASSY, TEST
    plant: int
    description: str
    setup_minutes: Decimal
    run_minutes: Decimal


@dataclass(frozen=True)
class Catalog:
    """The item master of one scale, with BOMs, routings and demand traits."""

    items: tuple[ItemSpec, ...]
    products: tuple[Product, ...]
    boms: tuple[BomSpec, ...]
    routings: tuple[RoutingSpec, ...]


def gtin13(body12: str) -> str:
    """`body12` with its GS1 mod-10 check digit appended."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body12)))
    return body12 + str((10 - total % 10) % 10)


def _parts(text: str) -> list[tuple[str, Decimal]]:
    return [(s.split(":")[0], Decimal(s.split(":")[1])) for s in text.split()]


def build_catalog(scale: Scale) -> Catalog:
    """The item master of `scale`: all finished goods (a few for tiny) and their BOM closure."""
    cats = {ln.split("|")[0]: ln.split("|") for ln in _CATEGORIES.strip().splitlines()}
    items: list[ItemSpec] = []
    products: list[Product] = []
    boms: list[BomSpec] = []
    routings: list[RoutingSpec] = []
    ref = 10000
    for line in _PLATFORMS.strip().splitlines():
        key, platform, p_zh, p_en, price, pop, kg, extra, launched = line.split("|")
        _, c_zh, c_en, prefix, plant, colours, case, pallet, minutes, common = cats[key]
        for colour in colours.split():
            ref += 1
            suffix = "" if colour == "-" else f"-{colour}"
            sku = f"HC-{prefix}{platform}{suffix}" if key != "accessory" else f"HC-PJ-{platform}"
            if scale.tiny and sku not in TINY_SKUS:
                continue
            zh_col, en_col, weight = COLOURS.get(colour, ("", "", 1.0))
            source, shelf = _BOUGHT_IN.get(sku, (CORE, None))
            at = 0 if scale.plants == 1 else int(plant)
            name = f"海川{p_zh}{c_zh if key != 'accessory' else ''} {zh_col}".strip()
            name_en = f"Haichuan {p_en}{' ' + c_en if key != 'accessory' else ''}"
            items.append(
                ItemSpec(
                    sku=sku,
                    name=name,
                    name_en=f"{name_en}, {en_col}" if en_col else name_en,
                    item_type="finished",
                    category=key,
                    base_unit="EA",
                    weight_kg=Decimal(kg),
                    volume_m3=Decimal(kg) * Decimal("0.008"),
                    price=Decimal(price),
                    units=(("CASE", Decimal(case)), ("PALLET", Decimal(case) * Decimal(pallet))),
                    source=source,
                    plant=at,
                    gtin=gtin13(GS1_PREFIX + f"{ref:05d}"),
                    shelf_life_days=shelf,
                )
            )
            products.append(
                Product(
                    sku=sku,
                    category=key,
                    colour=colour,
                    price=Decimal(price),
                    popularity=float(pop) * weight,
                    launched=date.fromisoformat(launched) if launched else None,
                )
            )
            if source != CORE:
                continue
            per: dict[str, Decimal] = {}
            for part, qty in _parts(common) + _parts(extra):  # a platform may add to a common part
                per[part] = per.get(part, Decimal(0)) + qty
            boms += [BomSpec(sku, part, qty, Decimal(0)) for part, qty in per.items()]
            run = Decimal(minutes)
            routings.append(RoutingSpec(sku, 10, "ASSY", at, "总装 assembly", Decimal(45), run))
            test_run = (run * Decimal("0.3") + Decimal("0.5")).quantize(Decimal("0.01"))
            routings.append(
                RoutingSpec(sku, 20, "TEST", at, "测试包装 test & pack", Decimal(15), test_run)
            )
    _add_parts(scale, items, boms, routings)
    return Catalog(tuple(items), tuple(products), tuple(boms), tuple(routings))


def _add_parts(
    scale: Scale, items: list[ItemSpec], boms: list[BomSpec], routings: list[RoutingSpec]
) -> None:
    """Append every part the finished goods need, down to raw materials, in table order."""
    needed: set[str] = set()
    frontier = [b.component for b in boms]
    while frontier:
        sku = frontier.pop()
        if sku not in needed:
            needed.add(sku)
            frontier.extend(c for c, _ in PARTS[sku].bom)
    for part in PARTS.values():
        if part.sku not in needed:
            continue
        at = 0 if scale.plants == 1 else part.plant
        weight = Decimal(part.weight_kg)
        items.append(
            ItemSpec(
                sku=part.sku,
                name=part.zh,
                name_en=part.en,
                item_type=part.item_type,
                category=part.category,
                base_unit=part.base_unit,
                weight_kg=weight,
                volume_m3=(
                    weight / Decimal(250 if part.item_type == "component" else 2000)
                ).quantize(Decimal("0.000001")),
                price=Decimal(part.price),
                units=tuple((u, Decimal(q)) for u, q in part.units),
                source=part.source,
                plant=at,
                shelf_life_days=part.shelf_life_days,
            )
        )
        for component, qty in part.bom:
            scrap = SCRAP_PCT.get(PARTS[component].category, "0")
            boms.append(BomSpec(part.sku, component, Decimal(qty), Decimal(scrap)))
        for seq, (kind, setup, run) in enumerate(part.routing, start=1):
            desc = {"STAMP": "冲压 stamping", "WIRE": "线材加工 wire forming"}.get(
                kind, "装配 assembly"
            )
            routings.append(
                RoutingSpec(part.sku, seq * 10, kind, at, desc, Decimal(setup), Decimal(run))
            )
