"""Exceptions that stop a run.

Bad data in a workbook is not an exception: it becomes an `Issue` (see
`pipeline.issues`) and the batch goes on. These classes are for the cases where
the run cannot go on: broken configuration, an output folder that cannot be
written, a document that cannot be rendered faithfully. Each carries a message
in Vietnamese for the clerk; the CLI prints it on one line and exits non-zero.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: `str(err)` is the Vietnamese message shown to the clerk."""

    exit_code = 2


class ConfigError(PipelineError):
    """A configuration file is missing, unreadable or invalid."""


class SourceError(PipelineError):
    """The input folder itself cannot be used (not a single workbook can be read)."""


class RenderError(PipelineError):
    """A document could not be rendered faithfully (missing font, missing glyph…)."""


class PublishError(PipelineError):
    """The output folder could not be written."""


class InvalidDataError(PipelineError):
    """Strict mode: some workbooks have errors, so no report is rendered.

    Carries the validation outcome so the CLI can show every issue first.
    """

    exit_code = 1

    def __init__(self, message: str, validation: object = None) -> None:
        super().__init__(message)
        self.validation = validation
