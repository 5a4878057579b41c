"""The whole configuration, as one run sees it."""

from __future__ import annotations

import hashlib
from functools import cached_property

from pydantic import Field

from pipeline.errors import ConfigError
from pipeline.settings.base import Strict
from pipeline.settings.distribution import DistributionFile
from pipeline.settings.documents import YearDocuments
from pipeline.settings.drafts import Draft
from pipeline.settings.explanations import Explanation
from pipeline.settings.general import GeneralSettings
from pipeline.settings.signing import SigningFile
from pipeline.settings.units import Group, Indicator, Rule, Unit


class Settings(Strict):
    """Everything a run needs to know, loaded once from the config folder."""

    general: GeneralSettings
    units: tuple[Unit, ...]
    groups: tuple[Group, ...] = ()
    indicators: tuple[Indicator, ...]
    targets: dict[int, dict[str, dict[str, int]]]
    history: dict[int, dict[str, dict[str, int]]]
    rules: tuple[Rule, ...] = ()
    documents: dict[int, YearDocuments]
    drafts: dict[int, Draft] = Field(default_factory=dict)  # year files with placeholders (settings.drafts)
    distribution: DistributionFile | None = None  # config/distribution.yaml, optional: only distribute needs it
    signing: SigningFile | None = None  # config/signing.yaml, optional: only make sign / make verify need it
    explanations: tuple[Explanation, ...] = ()  # config/giai-trinh.yaml, optional: warnings accepted with a reason

    def units_in(self, year: int) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.active_in(year))

    def unit(self, code: str) -> Unit | None:
        units, index = self._unit_index
        if units is not self.units:  # a model_copy(update={"units": …}) carries the old index along
            del self.__dict__["_unit_index"]
            units, index = self._unit_index
        return index.get(code)

    @cached_property
    def _unit_index(self) -> tuple[tuple[Unit, ...], dict[str, Unit]]:
        # Built once: a linear search per lookup is quadratic over 3,321 communes.
        return self.units, {u.code: u for u in self.units}

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def blank(self) -> Indicator:
        """The indicator a unit is "trắng" without (settings.yaml «blank_indicator»).

        load_settings already refuses a code that is not a planned indicator; this
        guards settings built another way (tests, model_copy) with the same message.
        """
        found = self.indicator(self.general.blank_indicator)
        if found is None:
            raise ConfigError(
                f"settings.yaml, khóa «blank_indicator»: «{self.general.blank_indicator}» "
                "không phải chỉ tiêu có kế hoạch trong indicators.yaml"
            )
        return found

    def digest(self) -> str:
        """The SHA-256 of every setting (as JSON): part of the render key of a document built from its inputs
        and the settings (a notice, from `shown()`), so that any change to them makes it again. Not cached:
        a model_copy would carry a cached digest along (see `unit`)."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()

    def shown(self) -> Settings:
        """These settings without what no document shows: the rules (they decide a unit's status, which its
        result carries), how mail is sent and documents signed, and the accepted warnings. A document keyed on
        `digest()` is built from this copy, so it cannot show what its key leaves out, and setting up signing
        or mail after make report leaves every notice current."""
        return self.model_copy(update={"rules": (), "distribution": None, "signing": None, "explanations": ()})

    def planned_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.has_plan)

    def year_files(self) -> set[int]:
        """The years that have a file in years/, complete or still a draft."""
        return set(self.documents) | set(self.drafts)

    def document_settings(self, year: int, command: str = "make report") -> YearDocuments:
        """The year's documents settings; ConfigError if its file is missing or still has placeholders."""
        if year in self.drafts:
            raise ConfigError(self.drafts[year].refusal(year, f"{command} YEAR={year}"))
        try:
            return self.documents[year]
        except KeyError:
            raise ConfigError(
                f"Thiếu cấu hình văn bản cho năm {year}: cần tệp years/{year}.yaml "
                "trong thư mục cấu hình (số văn bản, ngày ký, hạn nộp, người ký, nơi nhận). "
                f"Tạo tệp bằng make new-year YEAR={year} rồi điền các mục «<<CẦN ĐIỀN: …>>»."
            ) from None
