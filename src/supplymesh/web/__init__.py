"""Web shell: server-rendered pages in zh-CN and English."""
