"""Network context: enterprises, users, sites, items, BOMs, routings, lanes, sharing grants."""
