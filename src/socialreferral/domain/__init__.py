"""Domain layer: pydantic models and pure logic. No I/O, no SDKs, no ports."""
