"""`louyu build`: the whole pipeline, in the order data flows.

    load the platform → validate → decide each station's published set
    → render every site → write atomically
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..memo.cache import Cache, Memo, cache_dir
from ..memo.fastpath import input_fingerprint, remember
from ..memo.pictures import picture_store
from ..memo.templates import compiled_templates
from ..review.gate import STATE_LABELS, check_approvers, signature_losses
from ..review.history import GitHistory
from ..platform.loader import load_platform
from ..platform.reuse import Reuse
from ..platform.model import Platform
from .helper import ConversionHelper
from .parallel import FEW_ITEMS, ParseAhead, make_pictures, render_items, unpacked_keys, write_stations
from ..platform.problems import LouyuError, PlatformErrors, Problem, UsageProblem, os_reason
from ..publish import Publication, decide
from ..render.site import FOR_NEXT_BUILD, MEMOS, SiteRenderer
from ..review.signatures import signature_checker
from ..memo.record import OutputRecord, folders_of, forget_vanished, load_record, made_from, save_record
from ..memo.warm import Warm
from ..version import code_fingerprint
from .incremental import Progress, top_outputs, write_changes
from .write import TreeWriter, atomic_folder, check_audience, check_target, output_lock, recover



@dataclass
class BuildResult:
    """What a build did: the stations and pages written, the files and bytes, what it warns of."""

    output: Path
    stations: list[str]
    pages: dict[str, int] = field(default_factory=dict)  # station -> items with a page
    files: int = 0  # written by this build
    bytes_written: int = 0
    unchanged: int = 0  # files left as the last build wrote them (incremental build)
    held: int = 0  # parts of stations (a section, the static files…) a rebuild took as they were, keys not computed (serve)
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # words of the platform's lists (warnings; errors stop a build)


def load_checked(config_file: Path, strict: bool = False, reuse: Reuse | None = None) -> tuple[Platform, list[Problem]]:
    """The platform, or PlatformErrors with every error (and warnings too, when strict).
    `reuse`: what an earlier build read (memo/parsed.py)."""
    platform, problems = load_platform(config_file, reuse)
    check_approvers(platform, problems)
    failing = problems.errors + (problems.warnings if strict else [])
    if failing or platform.facts is None:
        raise PlatformErrors(sorted(set(failing), key=lambda p: (p.path, p.line, p.message)))
    return platform, sorted(set(problems.warnings), key=lambda p: (p.path, p.line, p.message))


def build(
    config_file: Path,
    output: Path | None = None,
    stations: list[str] | None = None,
    strict: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    preview: bool = False,
    inputs: str | None = None,
    helper: ConversionHelper | None = None,
    members: bool = False,
    warm: Warm | None = None,
) -> BuildResult:
    """Build every station site (or `stations`) into `output`, atomically.

    `members`: the members' sites (党内), `members` items as well as `public` ones, into
    their own folder (default site-members/); a public build never writes one.
    `preview` is for `louyu serve` alone: unreviewed items are shown, marked.
    `inputs`: the fingerprint of the input files when the caller has just taken it;
    `helper`: a conversion helper the caller started (else one is started here);
    `warm`: what a long-running caller (serve) keeps between its builds (memo/warm.py)."""
    started = time.perf_counter()
    if not config_file.is_file():  # no platform here: say so, and leave no cache folder behind
        load_checked(config_file, strict)
        raise AssertionError("load_checked accepted a missing mkdocs.yml")
    if inputs is None and not preview:  # the inputs' fingerprint, taken before anything is read (a preview is not remembered)
        inputs = input_fingerprint(config_file.absolute().parent, config_file.absolute())
    if helper is None:
        helper = ConversionHelper.start(config_file.absolute())
    cache = Cache(cache_dir(config_file.absolute().parent))
    try:
        early = (lambda kind: warm.memo(cache, kind)) if warm else (lambda kind: Memo(cache.load_memo(kind)))
        parsed, configs, found, verified = (early(kind) for kind in ("parsed", "config", "history", "signatures"))
        platform, warnings = load_checked(config_file, strict, ParseAhead(parsed, configs, warm.read if warm else None))
        output = output if output is not None else platform.root / default_folder(members)
        check_target(output, platform.root)
        check_audience(output, members)
        _check_station_ids(platform, stations)
        if members:  # the public address is not the members' sites' (louyu setting members_url)
            platform = dataclasses.replace(
                platform, site_url=platform.settings.members_url, members_sites=True, public_url=platform.site_url,
            )
        publication = decide_publication(platform, today, stations, preview, found, verified, members)
        warnings = _with_signature_losses(platform, publication, warnings, strict)
    except BaseException:
        cache.close()
        if helper is not None:
            helper.stop()
        raise
    try:
        for kind, memo in (("parsed", parsed), ("config", configs), ("history", found), ("signatures", verified)):
            cache.save_memo(kind, memo)
            if warm:
                warm.keep(kind, memo)
        # Stored: let go here before anything is rendered (the items' parses are 27 MB at
        # 1+30×4,000, which the parent held while the station workers ran).
        del parsed, configs, found, verified
        memos = {kind: warm.memo(cache, kind) if warm else cache.memo(kind) for kind in MEMOS}  # (each read when first consulted)
        pictures = picture_store(cache.path.parent)
        renderer = SiteRenderer(platform, publication, dict(memos), compiled=compiled_templates(cache.path.parent), pictures=pictures)
        # Items not in the cache are converted by a worker meanwhile the keys are compared.
        pending = render_item_revisions(renderer, publication, cache, helper, warm)
        make_pictures(renderer)  # each once, on every core, while the helper converts
        result = BuildResult(output, sorted(publication.sites), warnings=warnings, notices=_notices(publication, preview), findings=[
            f"{f.path}:{f.line}: {f.message}" for i in sorted(platform.items, key=lambda i: i.path) for f in i.findings
        ])
        try:
            write_output(renderer, output, stations, result, progress, cache, pending, memos, warm)
        except OSError as exc:  # a full disk, no permission, a file where a folder must go
            if exc.errno is None:  # not the file system: louyu's own (Jinja's TemplateNotFound is an OSError)
                raise
            raise LouyuError(*_interrupted(exc, output)) from None
        # (values not consulted are dropped, unless some station's were not asked for: a
        # held station's search groups are still wanted)
        every = stations is None and not result.held
        for kind, memo in memos.items():
            cache.save_memo(kind, memo, drop_unused=every)
            if warm:
                warm.keep(kind, memo, drop_unused=every)
        if stations is None and not preview:
            pictures.tidy()  # every published picture was asked for here (make_pictures)
        result.seconds = time.perf_counter() - started
        if inputs is not None and not preview:
            _remember(platform, publication, renderer, output, stations, strict, inputs, result, cache)
    finally:
        cache.close()
        if helper is not None:
            helper.stop()  # (already, unless the build failed before it took the renderings)
    return result


def _with_signature_losses(platform: Platform, publication: Publication, warnings: list[Problem], strict: bool) -> list[Problem]:
    """The items a change of keys (or of require_signatures) takes off the sites are named,
    each with what would put it back: never silently. With --strict they stop the build."""
    losses = signature_losses(platform, publication.reviews)
    if losses and strict:
        raise PlatformErrors(losses)
    return sorted(set(warnings + losses), key=lambda p: (p.path, p.line, p.message))
def default_folder(members: bool) -> str:
    return "site-members" if members else "site"


def decide_publication(
    platform: Platform, today: dt.date | None, stations: list[str] | None, preview: bool,
    known: Memo | None = None, signatures: Memo | None = None, members: bool = False,
) -> Publication:
    """`known`: where earlier builds found approved revisions; `signatures`: the
    signatures they verified (both from the build cache)."""
    history = GitHistory(platform.root, known)
    try:
        return decide(
            platform, today=today, only=stations, verify=signature_checker(platform, signatures), history=history,
            preview=preview, members=members,
        )
    finally:
        history.close()


def render_item_revisions(
    renderer: SiteRenderer, publication: Publication, cache: Cache, helper: ConversionHelper | None = None, warm: Warm | None = None,
) -> Callable[[], None]:
    """Every published revision converted once: from the cache, or rendered on every core.

    Returns the call that waits for the renderings still under way (and stores them)."""
    namespace = f"{code_fingerprint()}:{renderer.content.fingerprint()}"
    revisions = {i.digest: i for site in publication.sites.values() for i in site.pages}
    cached = warm.items(cache, namespace, revisions) if warm else cache.get_items(namespace, revisions)
    renderer.content.prefill_stored(cached)
    missing = [i for d, i in revisions.items() if d not in cached]
    if missing and len(cached) < len(revisions) // 2:
        cache.forget_other_namespaces(namespace)  # louyu or mkdocs.yml changed: old entries are dead
    if helper is not None and not 0 < len(missing) < FEW_ITEMS:
        helper.stop()  # nothing for it, or enough for a pool of workers
        helper = None
    if not missing:
        return lambda: None
    if helper is not None:
        converting = helper.convert(renderer.content.fingerprint(), missing)
    else:
        fresh = render_items(renderer, missing)
        converting = lambda: fresh  # noqa: E731
    done: list[bool] = []

    def wait() -> None:
        if not done:
            fresh = converting()
            if fresh is None:  # the helper could not: convert here
                fresh = renderer.content.renderings(missing)
            renderer.content.prefill(fresh)
            cache.put_items(namespace, fresh)
            if warm:
                warm.keep_items(namespace, fresh)
            done.append(True)

    return wait


def write_output(
    renderer: SiteRenderer, output: Path, stations: list[str] | None, result: BuildResult, progress: Progress | None,
    cache: Cache, pending: Callable[[], None] = lambda: None, memos: dict[str, Memo] | None = None, warm: Warm | None = None,
) -> None:
    """Only the files whose keys changed, staged and applied through a journal, when the
    last build's record of the output still holds; else the whole tree, swapped in."""
    with output_lock(output, cache.path.parent):  # one build at a time writes a given folder
        recover(output)  # finish or discard what a killed build left, before trusting anything
        # (the output of another louyu, or of other settings: written whole, nothing compared)
        same_base = output.is_dir() and made_from(cache, output) == renderer.base_key
        record = (warm.record(cache, output) if warm else load_record(cache, output)) if same_base else None
        save_record(cache, output, None)  # from here until the new record, trust nothing
        if record is None or not write_changes(renderer, output, stations, result, progress, record, pending):
            record = None  # let the old record go before the workers fork (60 MB at 1+30×4,000)
            pending()
            record = _write_all(renderer, output, stations, result, progress, memos or {}, _storing(cache, warm))
        token = save_record(cache, output, record, renderer.base_key)
        if warm:
            warm.keep_record(output, token, record)
    forget_vanished(cache)


def _storing(cache: Cache, warm: Warm | None) -> Callable[[str, dict[str, Any]], None]:
    """Where a whole build stores the values it makes as it goes: the cache, and what serve keeps."""
    if warm is None:
        return cache.put_memo

    def store(kind: str, new: dict[str, Any]) -> None:
        cache.put_memo(kind, new)
        warm.learn(kind, new)

    return store


def _write_all(
    renderer: SiteRenderer, output: Path, stations: list[str] | None, result: BuildResult, progress: Progress | None,
    memos: dict[str, Memo], keep: Callable[[str, dict[str, Any]], None],
) -> OutputRecord:
    """The portal, the static files once per station, then every station on every core; swapped in whole."""
    publication = renderer.publication
    only = set(stations or [])
    keep_old = (lambda name: name in renderer.platform.stations and name not in only) if only else None
    keys: dict[str, str | None] = {}
    stations_keys: list[str] = []  # each station's, packed until the workers are done
    with atomic_folder(output, keep_old) as tmp:
        writer = TreeWriter(tmp)
        for out in top_outputs(renderer):
            writer.write(out.path, out.make())
            keys[out.path] = out.key
        ids = sorted(publication.sites)
        for sid in ids:
            for out in renderer.static_outputs(sid):
                writer.write(out.path, out.make())
                keys[out.path] = out.key
        _prepare_search(renderer, ids, memos, keep)
        for n, (sid, files, size, written, learnt) in enumerate(write_stations(renderer, tmp, ids, memos), start=1):
            for kind, (new, used) in learnt.items():  # what the workers worked out, for the cache
                _store_now(memos[kind], kind, new, used, keep)
            if progress:
                progress(sid, n, len(ids))
            result.pages[sid] = len(publication.sites[sid].pages)
            writer.files += files
            writer.bytes_written += size
            stations_keys.append(written)
        result.files, result.bytes_written = writer.files, writer.bytes_written
    for packed in stations_keys:
        keys.update(unpacked_keys(packed))
    stations_keys.clear()
    record = OutputRecord()  # stations carried over by a --station build are left out
    record.note_written(output, keys)
    record.note_folders(output, folders_of(keys))
    return record


def _prepare_search(
    renderer: SiteRenderer, ids: list[str], memos: dict[str, Memo], keep: Callable[[str, dict[str, Any]], None],
) -> None:
    """The search groups shown by more than one site, or the largest, made here before the
    station workers fork (render/search.py `prepare`); what they leave for the next build is
    stored now, not handed to the workers."""
    sites = renderer.publication.sites
    central = [sid for sid in ids if sites[sid].station.is_central]
    substation = [sid for sid in ids if not sites[sid].station.is_central][:1]
    renderer.search.prepare([sites[sid] for sid in central + substation])
    for kind in FOR_NEXT_BUILD:
        if kind in memos:
            _store_now(memos[kind], kind, memos[kind].take_new(forget=True), set(), keep)


def _store_now(memo: Memo, kind: str, new: dict[str, Any], used: set[str], keep: Callable[[str, dict[str, Any]], None]) -> None:
    """Values made for the cache stored as they come, not held until the build's end (the
    search terms of 1+30×4,000: 60 MB); what was made or consulted is kept by the next save."""
    keep(kind, new)
    memo.used.update(used)
    memo.used.update(new)


def _remember(
    platform: Platform, publication: Publication, renderer: SiteRenderer, output: Path,
    stations: list[str] | None, strict: bool, inputs: str, result: BuildResult, cache: Cache,
) -> None:
    summary = {"stations": len(result.stations), "pages": sum(result.pages.values()), "warnings": [str(w) for w in result.warnings], "notices": result.notices}
    remember(
        platform.config_file, output, stations, strict, valid_until(platform, publication, renderer.now), inputs, summary, cache,
        members=publication.members, timezone=platform.settings.timezone,
    )


def _notices(publication: Publication, preview: bool) -> list[str]:
    if preview:
        n = len(publication.unreviewed)
        return [f"预览中显示 {n} 个未审核的条目（已标记“待审核”）"] if n else []
    counts: dict[str, int] = {}
    for review in publication.reviews.values():
        if not review.published:
            counts[review.state] = counts.get(review.state, 0) + 1
    unpublished = [f"{STATE_LABELS[state]}：{n} 个条目未发布（louyu review list 查看）" for state, n in sorted(counts.items())]
    return publication.notices + unpublished


def valid_until(platform: Platform, publication: Publication, now: dt.datetime) -> dt.datetime:
    """When this output stops being right with unchanged input: the next midnight, or the
    next activity to start or end (it leaves the coming-activities lists and screens)."""
    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    moments = [dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())]
    for site in publication.sites.values():
        for item in site.by_section["activities"]:
            for moment in (item.start, item.end):
                if moment is not None and moment > now:
                    moments.append(moment)
    return min(moments).replace(tzinfo=tz)


def _interrupted(exc: OSError, output: Path) -> tuple[str, int, str]:
    """A file-system failure while writing the output: which file, and why, in Chinese.
    (The new tree is written beside the old one, and a staged update is finished by the
    next build, so nothing half-written is left to be served.)"""
    return str(exc.filename or output), 1, f"构建中断：{os_reason(exc)}。{output} 保持原样，解决后重新构建即可"


def _check_station_ids(platform: Platform, stations: list[str] | None) -> None:
    for sid in stations or []:
        if sid not in platform.stations:
            known = "、".join(sorted(platform.stations))
            raise UsageProblem("--station", 1, f"没有站点 {sid}（现有：{known}）")
