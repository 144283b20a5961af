"""Logistics context: order dispatch by area, park docks and queues (智能物流, 白皮书 五.五)."""
