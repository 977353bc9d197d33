"""What an earlier build read, as the loader may be offered it (memo/parsed.py keeps it).

The loader keeps nothing itself: it asks a `Reuse` for each item, ledger and mkdocs.yml,
giving it the function that reads the file afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from .config import LoadedConfig
from .model import Decision, Item, Staff, Station
from .problems import Problems
from .terms import TermList

Place = tuple[str, str, str, bool]  # station, section, name, whether a bundle (a folder)
ParseItem = Callable[[Problems], "Item | None"]
ParseLedger = Callable[[Problems], "list[Decision] | None"]
LoadConfig = Callable[[Path, Problems], LoadedConfig]


class Reuse(Protocol):
    """What an earlier build read, offered to the loader (memo/parsed.py keeps it). Each
    method returns what was kept for exactly these inputs, problems included, or calls the
    given function, which reads the file afresh: the loader itself keeps nothing."""

    def ahead(self, root: Path, files: list[tuple[Path, str, Place, ParseItem]], stations: dict[str, Station], terms: TermList) -> None:
        """The items `item` will be asked for next, in this order: a Reuse may read some ahead."""

    def item(self, root: Path, md: Path, rel: str, place: Place, stations: dict[str, Station], terms: TermList, problems: Problems, parse: ParseItem) -> Item | None: ...

    def ledger(self, path: Path, rel: str, staff: dict[str, Staff], problems: Problems, parse: ParseLedger) -> list[Decision] | None: ...

    def config(self, config_file: Path, problems: Problems, load: LoadConfig) -> LoadedConfig: ...


class ReadAfresh:
    """No earlier build: every file is read and checked now."""

    def ahead(self, root: Path, files: list[tuple[Path, str, Place, ParseItem]], stations: dict[str, Station], terms: TermList) -> None:
        pass

    def item(self, root: Path, md: Path, rel: str, place: Place, stations: dict[str, Station], terms: TermList, problems: Problems, parse: ParseItem) -> Item | None:
        return parse(problems)

    def ledger(self, path: Path, rel: str, staff: dict[str, Staff], problems: Problems, parse: ParseLedger) -> list[Decision] | None:
        return parse(problems)

    def config(self, config_file: Path, problems: Problems, load: LoadConfig) -> LoadedConfig:
        return load(config_file, problems)
