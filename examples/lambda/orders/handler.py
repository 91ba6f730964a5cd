"""orders processor: one line per order, e.g. `order ORD-12345 created: 2 items, 99.99 USD`.

A poisoned order (no `order_id`, or a negative `total_amount`) raises ValueError. The whole
batch then fails; kemu, like Lambda, bisects it down to the bad record, retries that
max_retry_attempts times and sends an on-failure record to dev-orders-dlq, and the shard moves
on. Set REJECT_INVALID = False to log and skip invalid orders instead (then
`kemu dlq replay orders` succeeds). Stdlib only; printing is the only side effect, so a
redelivered batch does no harm.
"""
import base64
import json

REJECT_INVALID = True


def check(order):
    if not order.get("order_id"):
        return "missing order_id"
    amount = order.get("total_amount")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool):
        return f"total_amount is not a number: {amount!r}"
    if amount < 0:
        return f"total_amount is negative: {amount}"
    return None


def process_event(event, context):
    for record in event.get("Records", []):
        order = json.loads(base64.b64decode(record["kinesis"]["data"]).decode("utf-8"))
        problem = check(order)
        if problem:
            where = f"sequence {record['kinesis']['sequenceNumber']}"
            if REJECT_INVALID:
                raise ValueError(f"invalid order {order.get('order_id', '?')} ({where}): {problem}")
            print(f"order {order.get('order_id', '?')} skipped ({where}): {problem}")
            continue
        items = sum(int(i.get("quantity", 1)) for i in order.get("items", []))
        print(f"order {order['order_id']} {order.get('type', 'event')}: "
              f"{items} item{'' if items == 1 else 's'}, "
              f"{order['total_amount']:.2f} {order.get('currency', '')}".rstrip())
    return {"statusCode": 200}
