"""A small client for the sandbox's control API, used by tests and benchmarks."""

import json

import requests


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, json=None) -> dict:
        url = f"{self.base_url}/_sandbox{path}"
        response = self.session.request(method, url, json=json, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict:
        return self._call("GET", "/stats")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def set_knobs(self, **knobs) -> None:
        self._call("POST", "/knobs", json=knobs)

    def add_faults(self, endpoint: str, *faults: dict) -> None:
        self._call("POST", f"/faults/{endpoint}", json=list(faults))

    def hold(self, endpoint: str) -> None:
        """The endpoint's requests wait unanswered until `release` (a minute at most)."""
        self._call("POST", f"/hold/{endpoint}")

    def release(self, endpoint: str) -> None:
        self._call("DELETE", f"/hold/{endpoint}")

    def orders(self) -> list[dict]:
        return self._call("GET", "/orders")

    def requests(self, endpoint: str) -> list[dict]:
        return self._call("GET", f"/requests/{endpoint}")

    def serve_catalog_page(self, items: list, total: int | None = None, page_size: int = 20):
        """Answer the next catalog request with exactly these items (as page 1)."""
        count = len(items) if total is None else total
        pagination = {"page": 1, "pageSize": page_size, "totalCount": count}
        body = json.dumps({"data": items, "pagination": pagination})
        self.add_faults("catalog", {"status": 200, "body": body})

    def force_state(self, order_uuid, state: str) -> None:
        self._call("PUT", f"/orders/{order_uuid}/state", json={"state": state})

    def seed_orders(self, uuids, state: str | None = None) -> None:
        self._call("POST", "/orders", json={"uuids": [str(u) for u in uuids], "state": state})
