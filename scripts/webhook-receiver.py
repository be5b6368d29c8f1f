#!/usr/bin/env python3
"""A webhook receiver for the demo: verifies each Standard Webhooks 1.0 signature (HMAC-SHA256
over "id.timestamp.body" with the whsec_ secret in WEBHOOK_SECRET), refuses what does not
verify or is more than five minutes old, and prints every verified CloudEvent on one line.
Written from the specification, independently of Aurum's signer.

    WEBHOOK_SECRET=whsec_... python3 scripts/webhook-receiver.py PORT
"""
import base64, hashlib, hmac, http.server, json, os, sys, time

SECRET = base64.b64decode(os.environ["WEBHOOK_SECRET"].removeprefix("whsec_"))
SEEN = set()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        msg_id, stamp = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
        expected = base64.b64encode(hmac.new(SECRET, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
        given = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
        if not fresh or not any(hmac.compare_digest(expected, s) for s in given):
            print(f"REFUSED {msg_id}: the signature does not verify", flush=True)
            self.send_response(401)
            self.end_headers()
            return
        event = json.loads(body)
        data = event["data"]
        again = " (again: already seen)" if msg_id in SEEN else ""
        SEEN.add(msg_id)
        print(f"verified {event['id']}  {event['type']}  {event['subject']} v{data['version']} {data['state']}  "
              f"position {data['position']}{again}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
