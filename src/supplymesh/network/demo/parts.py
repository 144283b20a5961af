"""Components and raw materials of Haichuan's appliances, who supplies them, how they are made.

Three BOM levels: finished goods use components; components made in house or by a
subcontractor use raw materials (for a subcontracted part the BOM lists what HCE issues to the
subcontractor, as in the white paper's outsourcing flow); purchased parts have no BOM.
Prices are standard costs per base unit in CNY; scrap is in percent of the consumed quantity.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.network.demo.companies import CORE


@dataclass(frozen=True)
class Part:
    """A component or raw material: its source, cost and, if made, BOM and routing."""

    sku: str
    zh: str
    en: str
    item_type: str
    category: str
    source: str  # the supplying enterprise, or CORE when made in house
    price: str
    weight_kg: str
    base_unit: str
    units: tuple[tuple[str, str], ...]
    bom: tuple[tuple[str, str], ...]
    routing: tuple[tuple[str, int, str], ...]  # (work centre kind, setup min, run min per unit)
    shelf_life_days: int | None
    plant: int  # 0 = Foshan, 1 = Ningbo (for parts made in house)

    @property
    def made_in_house(self) -> bool:
        return self.source == CORE


# sku | source | price CNY | kg per base unit | category | 中文名 | English name
_TABLE = """
ST-304-05|BLSTEEL|16.5|1|steel|SUS304不锈钢卷 0.5mm|SUS304 stainless coil 0.5 mm
ST-304-08|BLSTEEL|16.2|1|steel|SUS304不锈钢卷 0.8mm|SUS304 stainless coil 0.8 mm
ST-SPCC-06|BLSTEEL|5.2|1|steel|SPCC冷轧板卷 0.6mm|SPCC cold-rolled coil 0.6 mm
ST-DX51-05|BLSTEEL|5.8|1|steel|DX51D镀锌板卷 0.5mm|DX51D galvanised coil 0.5 mm
ST-WIR-30|BLSTEEL|4.9|1|steel|低碳钢丝 3.0mm|Low-carbon steel wire 3.0 mm
ST-WIR-40|BLSTEEL|5.1|1|steel|低碳钢丝 4.0mm|Low-carbon steel wire 4.0 mm
RS-PP-H|JHPLAST|8.1|1|resin|均聚聚丙烯 PP|PP homopolymer resin
RS-PP-C|JHPLAST|8.9|1|resin|抗冲共聚聚丙烯 PP|PP impact copolymer resin
RS-ABS|JHPLAST|12.6|1|resin|ABS树脂|ABS resin
RS-PC|JHPLAST|18.4|1|resin|阻燃聚碳酸酯 PC|Flame-retardant PC resin
RS-PA66|JHPLAST|24.5|1|resin|PA66-GF30 尼龙|PA66-GF30 nylon
RS-PVC|JHPLAST|9.2|1|resin|PVC电缆料|PVC cable compound
CU-TW-07|TXCOPPER|78|1|copper|镀锡铜线 0.7mm|Tinned copper wire 0.7 mm
CU-EW-05|TXCOPPER|82|1|copper|漆包铜线 0.5mm|Enamelled copper wire 0.5 mm
CU-ST-03|TXCOPPER|58|1|copper|黄铜带 0.3mm|Brass strip 0.3 mm
POT-16|JZCAST|19.5|0.35|inner_pot|1.6L铝内胆(毛坯)|1.6 L aluminium pot, uncoated
POT-30|JZCAST|24|0.5|inner_pot|3L铝内胆(毛坯)|3 L aluminium pot, uncoated
POT-40|JZCAST|28|0.6|inner_pot|4L铝内胆(毛坯)|4 L aluminium pot, uncoated
POT-50|JZCAST|32|0.7|inner_pot|5L铝内胆(毛坯)|5 L aluminium pot, uncoated
POT-60|JZCAST|36|0.8|inner_pot|6L铝内胆(毛坯)|6 L aluminium pot, uncoated
CPOT-16|JTCOAT|28.5|0.36|inner_pot|1.6L不粘涂层内胆|1.6 L non-stick inner pot
CPOT-30|JTCOAT|33|0.51|inner_pot|3L不粘涂层内胆|3 L non-stick inner pot
CPOT-40|JTCOAT|37|0.61|inner_pot|4L不粘涂层内胆|4 L non-stick inner pot
CPOT-50|JTCOAT|41|0.71|inner_pot|5L不粘涂层内胆|5 L non-stick inner pot
CPOT-60|JTCOAT|45|0.81|inner_pot|6L不粘涂层内胆|6 L non-stick inner pot
M-AC|RDMOTOR|22|0.9|motor|交流电容电机 40W|AC capacitor motor 40 W
M-DC|RDMOTOR|38|0.6|motor|直流无刷电机 24V|BLDC motor 24 V
M-SYN|RDMOTOR|6.5|0.12|motor|摇头同步电机 4W|Oscillation synchronous motor 4 W
M-AF|RDMOTOR|28|0.7|motor|热风电机组件|Hot-air motor assembly
M-BL|RDMOTOR|65|1.2|motor|串激电机 1000W|Series motor 1000 W
M-HS|RDMOTOR|85|0.1|motor|高速无刷电机|High-speed BLDC motor 110k rpm
CMP-12|RDMOTOR|260|6.5|motor|转子式压缩机|Rotary compressor
PCB-MECH|XCELEC|8.5|0.08|control_board|机械温控板|Mechanical thermostat board
PCB-MC|XCELEC|26|0.1|control_board|电饭煲微电脑板|Micro-computer board, cookers
PCB-IH|XCELEC|58|0.2|control_board|IH电磁加热功率板|IH induction power board
PCB-KT|XCELEC|15|0.06|control_board|水壶恒温控制板|Thermostatic board, kettles
PCB-AF|XCELEC|21|0.09|control_board|空气炸锅控制板|Air fryer control board
PCB-BL|XCELEC|34|0.12|control_board|破壁机驱动板|Blender driver board
PCB-IC|XCELEC|42|0.18|control_board|电磁炉功率板|Induction cooker power board
PCB-FAN|XCELEC|12|0.06|control_board|风扇遥控板|Fan remote control board
PCB-HT|XCELEC|16|0.08|control_board|取暖器控制板|Heater board with tip-over switch
PCB-HUM|XCELEC|18|0.07|control_board|加湿器雾化驱动板|Humidifier atomiser driver
PCB-DH|XCELEC|45|0.15|control_board|除湿机控制板|Dehumidifier control board
PCB-EB|XCELEC|14|0.12|control_board|电热毯双控控制器|Electric blanket dual controller
PCB-ST|XCELEC|11|0.06|control_board|挂烫机控制板|Garment steamer board
PCB-HD|XCELEC|48|0.04|control_board|高速吹风机驱动板|High-speed dryer driver board
HE-RC|HRHEAT|18|0.45|heating|电饭煲发热盘 700W|Rice cooker heating plate 700 W
HE-PC|HRHEAT|24|0.6|heating|压力锅发热盘 1000W|Pressure cooker heating plate
HE-KT|HRHEAT|15|0.25|heating|水壶厚膜发热盘|Kettle thick-film element 1800 W
HE-HP|HRHEAT|16|0.3|heating|养生壶发热盘 800W|Health pot element 800 W
HE-AF|HRHEAT|14|0.2|heating|空气炸锅发热管|Air fryer heating tube 1500 W
HE-PTC|HRHEAT|21|0.35|heating|PTC陶瓷发热体|PTC ceramic heater 2000 W
HE-OIL|HRHEAT|19|0.4|heating|油汀电热管 2000W|Oil radiator element 2000 W
HE-CF|HRHEAT|23|0.25|heating|碳纤维发热管|Carbon fibre heating tube
HE-ST|HRHEAT|26|0.5|heating|挂烫机锅炉|Steamer boiler
HE-HD|HRHEAT|7.5|0.05|heating|吹风机发热丝组件|Hair dryer heating coil
HE-WIRE|HRHEAT|0.85|0.012|heating|电热毯发热线|Blanket heating wire
H-RC|HSMOULD|18|0.7|housing|电饭煲外壳组件|Rice cooker housing set
H-PC|HSMOULD|21|0.85|housing|压力锅外壳组件|Pressure cooker housing set
H-KT|HSMOULD|6.5|0.27|housing|水壶底座及手柄|Kettle base and handle
H-HP|HSMOULD|7.5|0.32|housing|养生壶底座|Health pot base
H-AF|HSMOULD|22|0.95|housing|空气炸锅外壳|Air fryer housing
H-BL|HSMOULD|19|0.75|housing|破壁机机座|Blender base housing
H-IC|HSMOULD|11|0.38|housing|电磁炉面框|Induction cooker frame
H-FAN-S|HSMOULD|12|0.62|housing|小风扇机身|Small fan body
H-FAN-L|HSMOULD|24|1.45|housing|落地扇机身及立柱|Stand fan body and pole
FB-30|HSMOULD|3.2|0.19|housing|12寸扇叶|12-inch fan blade
FB-40|HSMOULD|4.6|0.29|housing|16寸扇叶|16-inch fan blade
H-HT|HSMOULD|16|0.52|housing|取暖器外壳|Heater housing
H-HUM|HSMOULD|13|0.57|housing|加湿器水箱及外壳|Humidifier tank and housing
H-DH|HSMOULD|45|2.3|housing|除湿机外壳|Dehumidifier housing
H-GS|HSMOULD|9|0.42|housing|挂烫机外壳|Steamer housing
H-HD|HSMOULD|8|0.19|housing|吹风机外壳|Hair dryer housing
KB-08|HCE|9.8|0.2|metal_part|0.8L不锈钢壶身|0.8 L stainless kettle body
KB-15|HCE|12.5|0.33|metal_part|1.5L不锈钢壶身|1.5 L stainless kettle body
KB-17|HCE|15.8|0.42|metal_part|1.7L不锈钢壶身|1.7 L stainless kettle body
FGD-30|HCE|6.2|0.32|wire_part|12寸网罩|12-inch fan guard
FGD-40|HCE|8.9|0.56|wire_part|16寸网罩|16-inch fan guard
RAD-13|HCE|48|4.6|metal_part|13片油汀散热片组|13-fin radiator pack
CORD-A|HCE|4.8|0.15|wire_part|电源线组件 10A 1.2m|Power cord 10 A 1.2 m
CORD-B|HCE|7.2|0.23|wire_part|电源线组件 16A 1.5m|Power cord 16 A 1.5 m
"""

# What a made or subcontracted part consumes per base unit ("sku:qty sku:qty").
_BOMS = {
    **{f"CPOT-{c}": f"POT-{c}:1" for c in ("16", "30", "40", "50", "60")},
    "H-RC": "RS-PP-H:0.65",
    "H-PC": "RS-PP-H:0.8",
    "H-KT": "RS-PP-H:0.25",
    "H-HP": "RS-PP-H:0.3",
    "H-AF": "RS-PP-C:0.9",
    "H-BL": "RS-ABS:0.7",
    "H-IC": "RS-PA66:0.35",
    "H-FAN-S": "RS-PP-C:0.6",
    "H-FAN-L": "RS-PP-C:1.4",
    "FB-30": "RS-PP-H:0.18",
    "FB-40": "RS-PP-H:0.28",
    "H-HT": "RS-PC:0.5",
    "H-HUM": "RS-PP-H:0.55",
    "H-DH": "RS-ABS:2.2",
    "H-GS": "RS-PP-C:0.4",
    "H-HD": "RS-PC:0.18",
    "KB-08": "ST-304-05:0.22",
    "KB-15": "ST-304-05:0.36",
    "KB-17": "ST-304-08:0.45",
    "FGD-30": "ST-WIR-30:0.35",
    "FGD-40": "ST-WIR-40:0.6",
    "RAD-13": "ST-SPCC-06:4.2 ST-DX51-05:0.6",
    "CORD-A": "CU-TW-07:0.06 RS-PVC:0.09 CU-ST-03:0.01",
    "CORD-B": "CU-TW-07:0.1 RS-PVC:0.12 CU-ST-03:0.015",
}

# Routings of parts made in house, and the plant that makes them.
_ROUTINGS: dict[str, tuple[int, tuple[tuple[str, int, str], ...]]] = {
    "KB-08": (0, (("STAMP", 60, "0.35"),)),
    "KB-15": (0, (("STAMP", 60, "0.4"),)),
    "KB-17": (0, (("STAMP", 60, "0.45"),)),
    "FGD-30": (1, (("WIRE", 40, "0.8"),)),
    "FGD-40": (1, (("WIRE", 40, "1.0"),)),
    "RAD-13": (1, (("STAMP", 90, "1.6"), ("ASSY", 30, "2.5"))),
    "CORD-A": (0, (("WIRE", 20, "0.25"),)),
    "CORD-B": (1, (("WIRE", 20, "0.3"),)),
}

_RAW_UNITS = {
    "steel": (("COIL", "2000"),),
    "resin": (("BAG", "25"), ("PALLET", "1000")),
    "copper": (("REEL", "200"), ("PALLET", "1600")),
}

# Scrap allowance by what is consumed, in percent.
SCRAP_PCT = {"steel": "4", "resin": "2.5", "copper": "1.5"}


def _component_units(weight_kg: float) -> tuple[tuple[str, str], ...]:
    """Cases of a round count weighing at most about 10 kg, 24 cases a pallet."""
    per_case = max(n for n in (1, 2, 5, 10, 20, 50, 100, 200) if n == 1 or n * weight_kg <= 10)
    return (("CASE", str(per_case)), ("PALLET", str(per_case * 24)))


def _parse() -> dict[str, Part]:
    parts: dict[str, Part] = {}
    for line in _TABLE.strip().splitlines():
        sku, source, price, kg, category, zh, en = line.split("|")
        raw = category in _RAW_UNITS
        bom = tuple((s.split(":")[0], s.split(":")[1]) for s in _BOMS.get(sku, "").split() if s)
        plant, routing = _ROUTINGS.get(sku, (0, ()))
        units: tuple[tuple[str, str], ...]
        if sku == "HE-WIRE":
            base_unit, units = "M", (("REEL", "500"),)
        elif raw:
            base_unit, units = "KG", _RAW_UNITS[category]
        else:
            base_unit, units = "EA", _component_units(float(kg))
        parts[sku] = Part(
            sku=sku,
            zh=zh,
            en=en,
            item_type="raw" if raw else "component",
            category=category,
            source=source,
            price=price,
            weight_kg=kg,
            base_unit=base_unit,
            units=units,
            bom=bom,
            routing=routing,
            shelf_life_days={"resin": 730}.get(category),
            plant=plant,
        )
    return parts


PARTS: dict[str, Part] = _parse()
