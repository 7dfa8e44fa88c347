"""报名: one registration's whole life, from the first draft to its end.

    states.py      the states, their labels and groups (live, payable, printable ...)
    lifecycle.py   the transition table and the one function that changes a registration's status
    errors.py      refusals the candidate can act on
    window.py      the registration window (网上报名期间)
    access.py      finding a candidate's own registrations
    draft.py       the draft's data as one value (what is ticked, chosen, kept unsaved)
    choices.py     选择报考类别, 考区 and 考点 to choose from
    steps.py       the wizard's steps (基本情况 … 选择考区及考点), each saved on its own
    submission.py  提交
    withdrawal.py  放弃报考 (and discarding a draft)

Review decisions (core.services.review) and expiry for non-payment (core.payments.service) are the
other callers of ``lifecycle.transition``; nothing else writes ``registrations.status``.
"""
