"""The public API under /api/v1 (README.md, "The API"): Bearer tokens, JSON, an OpenAPI 3.1
document made from the code by SpecTree. Each resource is one small module of operations."""
