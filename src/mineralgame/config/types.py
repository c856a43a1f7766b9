"""Constrained numbers and the frozen base record shared by the scenario schema modules.

``schema`` imports ``negotiation``, so the types both use live here rather than in either.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Frozen", "NonNeg", "Pos", "PosShare", "Rate", "Share"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Pos = Annotated[float, Field(gt=0.0)]
PosShare = Annotated[float, Field(gt=0.0, le=1.0)]
Rate = PosShare  # discount rates [1/yr]: above 0, at most 1


class Frozen(BaseModel):
    """Base record: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
