"""payments processor: one line per payment, e.g. `payment PAY-001 captured: 99.99 USD for ORD-12345`.

Stdlib only. Printing is the only side effect, so a redelivered batch does no harm.
"""
import base64
import json


def process_event(event, context):
    for record in event.get("Records", []):
        p = json.loads(base64.b64decode(record["kinesis"]["data"]).decode("utf-8"))
        line = (f"payment {p.get('payment_id', '?')} {p.get('status', 'received')}: "
                f"{float(p.get('amount', 0)):.2f} {p.get('currency', '')}".rstrip())
        if p.get("order_id"):
            line += f" for {p['order_id']}"
        print(line)
    return {"statusCode": 200}
