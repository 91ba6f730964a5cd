"""The seed's three example requests, read from tests/fixtures/seed/ (see its README.md): the
one copy every test that sends them uses."""

import os

SEED_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "fixtures", "seed"))
# (path under the stage URL, body file) in the order the seed's README sends them.
SEED_REQUESTS = (
    ("/events/user_activity", "user_activity.json"),
    ("/events/orders", "orders.json"),
    ("/events/batch/user_activity", "batch_user_activity.json"),
)


def seed_body(path):
    """The body the seed POSTs to `path`, exactly as the shell passes it to curl."""
    with open(os.path.join(SEED_DIR, dict(SEED_REQUESTS)[path]), encoding="utf-8",
              newline="") as f:
        return f.read()


def seed_curl_command(path, curl="curl"):
    """The seed's shell command for `path` as its README writes it (the body in single quotes:
    it holds none), with `curl` for the program, e.g. "curl -sf"."""
    return (f'{curl} -X POST "${{API_URL}}{path}" \\\n'
            f'  -H "Content-Type: application/json" \\\n'
            f"  -d '{seed_body(path)}'")
