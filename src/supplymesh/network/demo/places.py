"""Real Chinese cities and industrial locations the demo network sits in.

Coordinates are WGS-84 (city centres, or the named district or town), from public gazetteers
to about a kilometre; `division` is the administrative division code (GB/T 2260), which also
goes into the unified social credit codes of companies registered there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A real location: names, province, region (the seven traditional ones), WGS-84 point."""

    key: str
    zh: str
    en: str
    province: str
    province_zh: str
    region: str
    latitude: float
    longitude: float
    division: str
    tier: int  # retail city tier: 1 = the largest markets, 3 = smaller provincial capitals


def _table(text: str) -> tuple[Place, ...]:
    rows = [line.split("|") for line in text.strip().splitlines()]
    return tuple(
        Place(k, zh, en, prov, prov_zh, region, float(lat), float(lon), div, int(tier))
        for k, zh, en, prov, prov_zh, region, lat, lon, div, tier in rows
    )


# key | 中文 | English | province | 省 | region | latitude | longitude | division | tier
# Forty store cities; the first three are the tiny scale's stores (all near the Shanghai DC).
STORE_CITIES = _table("""
SHANGHAI|上海|Shanghai|Shanghai|上海市|East|31.2304|121.4737|310000|1
HANGZHOU|杭州|Hangzhou|Zhejiang|浙江省|East|30.2741|120.1551|330100|1
NANJING|南京|Nanjing|Jiangsu|江苏省|East|32.0603|118.7969|320100|1
BEIJING|北京|Beijing|Beijing|北京市|North|39.9042|116.4074|110000|1
GUANGZHOU|广州|Guangzhou|Guangdong|广东省|South|23.1291|113.2644|440100|1
SHENZHEN|深圳|Shenzhen|Guangdong|广东省|South|22.5431|114.0579|440300|1
TIANJIN|天津|Tianjin|Tianjin|天津市|North|39.3434|117.3616|120000|1
CHONGQING|重庆|Chongqing|Chongqing|重庆市|Southwest|29.5630|106.5516|500000|1
CHENGDU|成都|Chengdu|Sichuan|四川省|Southwest|30.5728|104.0668|510100|1
WUHAN|武汉|Wuhan|Hubei|湖北省|Central|30.5928|114.3055|420100|1
SUZHOU|苏州|Suzhou|Jiangsu|江苏省|East|31.2990|120.5853|320500|2
XIAN|西安|Xi'an|Shaanxi|陕西省|Northwest|34.3416|108.9398|610100|2
CHANGSHA|长沙|Changsha|Hunan|湖南省|Central|28.2282|112.9388|430100|2
ZHENGZHOU|郑州|Zhengzhou|Henan|河南省|Central|34.7466|113.6254|410100|2
QINGDAO|青岛|Qingdao|Shandong|山东省|East|36.0671|120.3826|370200|2
JINAN|济南|Jinan|Shandong|山东省|East|36.6512|117.1201|370100|2
SHENYANG|沈阳|Shenyang|Liaoning|辽宁省|Northeast|41.8057|123.4315|210100|2
DALIAN|大连|Dalian|Liaoning|辽宁省|Northeast|38.9140|121.6147|210200|2
HARBIN|哈尔滨|Harbin|Heilongjiang|黑龙江省|Northeast|45.8038|126.5349|230100|3
CHANGCHUN|长春|Changchun|Jilin|吉林省|Northeast|43.8171|125.3235|220100|3
SHIJIAZHUANG|石家庄|Shijiazhuang|Hebei|河北省|North|38.0428|114.5149|130100|3
TAIYUAN|太原|Taiyuan|Shanxi|山西省|North|37.8706|112.5489|140100|3
HEFEI|合肥|Hefei|Anhui|安徽省|East|31.8206|117.2272|340100|2
FUZHOU|福州|Fuzhou|Fujian|福建省|East|26.0745|119.2965|350100|2
XIAMEN|厦门|Xiamen|Fujian|福建省|East|24.4798|118.0894|350200|2
NANCHANG|南昌|Nanchang|Jiangxi|江西省|East|28.6820|115.8579|360100|3
KUNMING|昆明|Kunming|Yunnan|云南省|Southwest|24.8801|102.8329|530100|3
GUIYANG|贵阳|Guiyang|Guizhou|贵州省|Southwest|26.6470|106.6302|520100|3
NANNING|南宁|Nanning|Guangxi|广西壮族自治区|South|22.8170|108.3665|450100|3
HAIKOU|海口|Haikou|Hainan|海南省|South|20.0440|110.1999|460100|3
LANZHOU|兰州|Lanzhou|Gansu|甘肃省|Northwest|36.0611|103.8343|620100|3
HOHHOT|呼和浩特|Hohhot|Inner Mongolia|内蒙古自治区|North|40.8424|111.7490|150100|3
URUMQI|乌鲁木齐|Urumqi|Xinjiang|新疆维吾尔自治区|Northwest|43.8256|87.6168|650100|3
YINCHUAN|银川|Yinchuan|Ningxia|宁夏回族自治区|Northwest|38.4872|106.2309|640100|3
XINING|西宁|Xining|Qinghai|青海省|Northwest|36.6171|101.7782|630100|3
WUXI|无锡|Wuxi|Jiangsu|江苏省|East|31.4912|120.3119|320200|2
NINGBO|宁波|Ningbo|Zhejiang|浙江省|East|29.8683|121.5440|330200|2
DONGGUAN|东莞|Dongguan|Guangdong|广东省|South|23.0207|113.7518|441900|2
FOSHAN|佛山|Foshan|Guangdong|广东省|South|23.0215|113.1214|440600|2
WENZHOU|温州|Wenzhou|Zhejiang|浙江省|East|27.9943|120.6994|330300|3
""")

# Regional DCs in logistics hubs: Qingpu (west Shanghai), Huadu (north Guangzhou, by the
# airport) and Langfang (Hebei, between Beijing and Tianjin). The first is the tiny scale's DC.
DC_PLACES = _table("""
QINGPU|上海青浦|Qingpu, Shanghai|Shanghai|上海市|East|31.1500|121.1240|310118|2
HUADU|广州花都|Huadu, Guangzhou|Guangdong|广东省|South|23.4040|113.2202|440114|2
LANGFANG|河北廊坊|Langfang|Hebei|河北省|North|39.5237|116.7036|131000|2
""")

# Plants in the two small-appliance clusters: Beijiao (Shunde, Foshan) and Cixi (Ningbo).
PLANT_PLACES = _table("""
SHUNDE|佛山顺德北滘|Beijiao, Shunde, Foshan|Guangdong|广东省|South|22.9213|113.2025|440606|2
CIXI|宁波慈溪|Cixi, Ningbo|Zhejiang|浙江省|East|30.1693|121.2666|330282|2
""")

# Supplier towns, by what they are known for (steel, petrochemicals, copper, motors, ...).
SUPPLIER_PLACES = {
    p.key: p
    for p in _table("""
TANGSHAN|河北唐山|Tangshan|Hebei|河北省|North|39.6309|118.1802|130200|2
ZHENHAI|宁波镇海|Zhenhai, Ningbo|Zhejiang|浙江省|East|29.9489|121.7134|330211|2
YINGTAN|江西鹰潭|Yingtan|Jiangxi|江西省|East|28.2602|117.0691|360600|2
ZHONGSHAN|广东中山|Zhongshan|Guangdong|广东省|South|22.5176|113.3926|442000|2
BAOAN|深圳宝安|Bao'an, Shenzhen|Guangdong|广东省|South|22.5553|113.8831|440306|2
YUYAO|宁波余姚|Yuyao, Ningbo|Zhejiang|浙江省|East|30.0372|121.1546|330281|2
JIANGMEN|广东江门|Jiangmen|Guangdong|广东省|South|22.5787|113.0815|440700|2
CHANGAN|东莞长安|Chang'an, Dongguan|Guangdong|广东省|South|22.8166|113.8040|441900|2
NANHAI|佛山南海|Nanhai, Foshan|Guangdong|广东省|South|23.0288|113.1430|440605|2
HUANGPU|广州黄埔|Huangpu, Guangzhou|Guangdong|广东省|South|23.1064|113.4590|440112|2
FUTIAN|深圳福田|Futian, Shenzhen|Guangdong|广东省|South|22.5217|114.0550|440304|2
PUDONG|上海浦东|Pudong, Shanghai|Shanghai|上海市|East|31.2215|121.5447|310115|2
""")
}

# Street names found in nearly every Chinese city, for plausible (fictional) store addresses.
STREETS = ("人民路", "解放路", "中山路", "建设路", "新华路", "和平路", "胜利路", "文化路")
