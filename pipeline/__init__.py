"""Báo cáo NQ28: read unit workbooks, validate, aggregate and render official documents."""

import os

__version__ = "0.1.0"

# No pydantic plugin takes part in checking the office's config: whatever else is installed beside
# the pipeline, validation is ours alone. It also spares every command pydantic's scan of all
# installed packages' entry points (~15 ms) when it builds its first model.
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
