"""Prefect flows: orchestration only; every stage they call is a plain function."""
