"""Notifications: people are told what waits for them (inbox, e-mail, SMS, WeCom, DingTalk)."""
