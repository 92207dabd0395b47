"""The error tree: one exit code and one HTTP status per class, documented, one JSON shape."""

from __future__ import annotations

from pathlib import Path

from trailmask.errors import ALL_ERRORS, NotFound, QueryTimeout

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_every_error_class_and_exit_code_is_documented() -> None:
    text = CLI_DOC.read_text()
    for cls in ALL_ERRORS:
        row = next((line for line in text.splitlines() if f"`{cls.__name__}`" in line), None)
        assert row is not None, cls.__name__
        assert row.startswith(f"| {cls.exit_code} |"), (cls.__name__, row)


def test_json_error_shape() -> None:
    assert NotFound("runbook x not found", hint="see runbook list").to_dict() == {
        "error": "not_found",
        "message": "runbook x not found",
        "hint": "see runbook list",
    }
    assert QueryTimeout("slow").to_dict() == {"error": "query_timeout", "message": "slow"}
    assert str(NotFound("a", hint="b")) == "a (b)"


def test_statuses_are_http_errors() -> None:
    for cls in ALL_ERRORS:
        assert 400 <= cls.http_status < 600
        assert cls.exit_code >= 1


def test_all_errors_is_every_class_of_the_tree() -> None:
    """ALL_ERRORS is derived: a class added to errors.py is listed (client mapping, docs check) unedited."""
    import inspect

    from trailmask import errors

    defined = {
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.TrailmaskError) and cls.__module__ == errors.__name__
    }
    assert set(ALL_ERRORS) == defined
    assert len(ALL_ERRORS) == len(defined)
