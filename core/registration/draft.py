"""The draft (填报中): what the wizard remembers between steps, as one value, and 开始新的报名.

What the candidate types is saved straight to the personal-information centre (core.services.profile);
the draft holds only what belongs to this registration: the steps done, the entries ticked, the 考区 and
考点 chosen, 累计报考次数, and input a step refused on the way back (``unsaved``, never in the profile).
``registrations.draft_data`` is read and written only through ``Draft``.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core import messages
from core.db import commit_keeping_loaded, db
from core.messages import Msg
from core.models import Candidate, ExamSubject, Registration
from core.registration.access import live_for_year
from core.registration.errors import AlreadyRegistered
from core.registration.states import DRAFT
from core.registration.window import require_window_open
from core.services.errors import DomainError

STEPS = (("basic", "基本情况"), ("work", "工作情况"), ("entries", "教育经历和培训经历"),
         ("certificates", "选择证书"), ("site", "选择考区及考点"))
STEP_NAMES = [key for key, _ in STEPS]

# What each step's form sends: the part of a refused form the draft keeps (see keep_unsaved).
STEP_FIELDS = {
    "basic": ("military_identity", "permit_number", "mobile", "email", "address", "postcode"),
    "work": ("employment_status", "work_unit_name", "work_unit_id", "department", "title", "title_date",
             "post", "practice_start"),
    "entries": ("education_ids", "training_ids"),
    "certificates": ("certificate_ids",),
    "site": ("region_id", "site_id", "attempts"),
}


@dataclass
class Draft:
    done: list[str] = field(default_factory=list)  # steps saved at least once, in step order
    education_ids: list[int] = field(default_factory=list)
    training_ids: list[int] = field(default_factory=list)
    certificate_ids: list[int] = field(default_factory=list)
    region_id: int | None = None
    site_id: int | None = None
    attempts: int = 1  # 累计报考次数
    # step -> {"form": {field: [values]}, "errors": {field: dumped message}}: refused input kept on 上一步
    unsaved: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, reg: Registration) -> Draft:
        """A copy: changing it changes the row only through ``store`` (the ORM compares old and new). The lists
        (of strings and ids) are copied flat; only the refused input kept (``unsaved``, usually empty) deeply."""
        data = reg.draft_data or {}
        return cls(**{name: _copy(data[name]) for name in _FIELDS if name in data})

    def store(self, reg: Registration) -> None:
        reg.draft_data = asdict(self)

    def hold(self, reg: Registration) -> None:
        """In the registration as loaded, not written: 提交 right after writes it with the submission's UPDATE
        (core.registration.submission), or ``write_held`` when 提交 is refused. The fields as they are, not
        copied again (``asdict``): a Draft holds copies already (``of``), and the caller drops it."""
        set_committed_value(reg, "draft_data", {name: getattr(self, name) for name in _FIELDS})

    def ids(self, kind: str) -> list[int]:
        return getattr(self, f"{kind}_ids")

    def set_ids(self, kind: str, ids) -> None:
        setattr(self, f"{kind}_ids", sorted(set(ids)))

    def finish(self, step: str) -> None:
        """A step saved: it counts as done, and what it had kept unsaved is dropped."""
        self.done = sorted(set(self.done) | {step}, key=STEP_NAMES.index)
        self.unsaved.pop(step, None)


_FIELDS = [f.name for f in fields(Draft)]


def _copy(value):
    """A list (steps, ids) flat; a dict (the refused input kept) deeply, only when it holds something."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return copy.deepcopy(value) if value else {}
    return value


def start_registration(candidate: Candidate, subject_id: int) -> Registration:
    """开始新的报名 for a subject: a new draft, or the existing draft of that exam year (resumed)."""
    subject = db.session.get(ExamSubject, subject_id, options=[joinedload(ExamSubject.exam_year)]) \
        if subject_id is not None else None
    if subject is None:
        raise DomainError("请选择报考类别。", "subject_id")
    require_window_open(subject.exam_year)
    live = live_for_year(candidate, subject.exam_year_id)
    if live is not None and live.status != DRAFT:
        raise AlreadyRegistered(Msg("您已报名%(year)s（%(subject)s），报名信息不提供修改功能；"
                                    "如需改报，请先“放弃报考”，然后重新“开始新的报名”。",
                                    year=subject.exam_year.name, subject=live.subject.name))
    if live is not None:
        if live.subject_id != subject.id:
            live.subject_id = subject.id
            live.draft_step = "basic"
            commit_keeping_loaded()  # the page goes on to the draft's step: nothing read back
        return live
    reg = Registration(candidate_id=candidate.id, exam_year_id=subject.exam_year_id, subject_id=subject.id,
                       draft_step="basic")  # status: the model's default, DRAFT
    Draft().store(reg)
    db.session.add(reg)
    try:
        commit_keeping_loaded()  # its id and step name the page it goes to: nothing read back
    except IntegrityError:  # another tab created the draft a moment ago
        db.session.rollback()
        return live_for_year(candidate, subject.exam_year_id)
    return reg


def keep_unsaved(reg: Registration, step: str, form: dict[str, list[str]], errors: dict[str, str]) -> None:
    """上一步 from a step the candidate filled in wrongly: it goes back all the same.

    Nothing refused reaches the profile; the draft keeps what was typed and why it was refused, shown
    again on that step until the step is saved (``Draft.finish`` drops it then). 提交 waits for it.
    """
    kept = {k: [str(x)[:500] for x in form.get(k, [])][:200] for k in STEP_FIELDS[step]}
    draft = Draft.of(reg)
    draft.unsaved[step] = {"form": kept, "errors": {f: messages.dump(m) for f, m in errors.items()}}
    draft.store(reg)
    db.session.commit()


def unsaved(reg: Registration, step: str) -> dict | None:
    """What keep_unsaved kept for a step: ``{"form": {field: [values]}, "errors": {field: message}}``."""
    kept = Draft.of(reg).unsaved.get(step)
    if kept:
        kept = {**kept, "errors": {f: messages.load(m) for f, m in kept["errors"].items()}}
    return kept


def write_held(reg: Registration, data: dict) -> None:
    """提交 refused: the 考点 step it held is saved all the same, as if saved on its own before (committed)."""
    db.session.rollback()
    reg.draft_data, reg.draft_step = data, "site"
    db.session.commit()


def heading_to(reg: Registration, step: str) -> None:
    """A step's form leads to ``step``: remember it with what the form saves (same commit), so the GET of that
    step finds it recorded and writes nothing (go_to_step)."""
    if step in STEP_NAMES:
        reg.draft_step = step


def go_to_step(reg: Registration, step: str) -> None:
    """Remember where the candidate is (a closed browser resumes here); a step reached by its link or typed
    URL rather than by the previous step's form."""
    if step in STEP_NAMES and reg.draft_step != step:
        reg.draft_step = step
        db.session.commit()
