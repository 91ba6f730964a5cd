"""user_activity processor: one line per event, e.g. `user user123 page_view /products`.

Stdlib only. Printing is the only side effect, so a redelivered batch (Kinesis delivers at
least once) does no harm: the handler is idempotent.
"""
import base64
import json


def process_event(event, context):
    for record in event.get("Records", []):
        payload = json.loads(base64.b64decode(record["kinesis"]["data"]).decode("utf-8"))
        page = (payload.get("metadata") or {}).get("page")
        line = f"user {payload.get('user_id', '?')} {payload.get('action', '?')}"
        print(f"{line} {page}" if page else line)
    return {"statusCode": 200}
