"""Prints what an Odoo database holds under Aurum's external ids, read with Python's own xmlrpc.client.

Usage: ODOO_URL=... ODOO_DATABASE=... ODOO_LOGIN=... ODOO_API_KEY=... python3 scripts/odoo-show.py
"""
import os
import xmlrpc.client

url, db = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"]
login, key = os.environ.get("ODOO_LOGIN", "admin"), os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, key, {})
models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
rows = models.execute_kw(db, uid, key, "ir.model.data", "search_read", [[["module", "=", "aurum"]]],
                         {"fields": ["complete_name", "model", "res_id"], "order": "name"})
for row in rows:
    found = models.execute_kw(db, uid, key, row["model"], "read", [[row["res_id"]]], {"fields": ["display_name", "active"]})
    if not found:
        print(f"{row['complete_name']:<26} {row['model']}:{row['res_id']} (gone)")
        continue
    record = found[0]
    state = "" if record.get("active", True) else "  (archived)"
    print(f"{row['complete_name']:<26} {row['model']}:{row['res_id']:<4} {record['display_name']}{state}")
print(f"{len(rows)} records under external ids aurum.*")
