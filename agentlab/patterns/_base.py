"""``Pattern``: the base of the five patterns, holding the checks every constructor makes
(a name, ``limits``), so they are written once."""

from __future__ import annotations

from typing import Any

from agentlab.core.limits import as_limits
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError


class Pattern(Runnable):
    """A workflow pattern: a runnable made of other runnables."""

    def _configure(
        self, name: Any, limits: Any, default: str | None = None, *, description: Any = None
    ) -> None:
        """Check and set ``name`` (default: ``default`` or the class name), ``limits``
        and ``description`` (what it does: an orchestrator shows it to its planner)."""
        kind = type(self).__name__
        self.name = check_name(name, default or kind)
        self.limits = as_limits(limits, f"{kind} {self.name!r}")
        self.description = check_description(description, self.name)


def check_name(name: Any, default: str) -> str:
    """``name`` if it is non-empty text, ``default`` for None, else a ``ConfigError``."""
    if name is None:
        return default
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"name must be non-empty text, got {name!r}; e.g. name={default!r}")
    return name


def check_description(description: Any, default: str) -> str:
    """``description`` if it is text, ``default`` for None, else a ``ConfigError``."""
    if description is None:
        return default
    if not isinstance(description, str):
        raise ConfigError(
            f"description must be text, got {description!r}; e.g. "
            "description='Writes the product copy'"
        )
    return description.strip() or default
