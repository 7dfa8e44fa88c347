"""The back-office detail pages and actions the scope sweeps try on an object inside and outside each role's
scope (tests/backoffice/test_scope_sweep.py; tests/security/test_object_access.py checks that every custom id
route is in it). The object kinds name objects of the ``world`` fixture (tests/fixtures/backoffice.py)."""
from __future__ import annotations

# (name, method, url with {obj}, the object kind, roles with the permission)
DETAIL = [
    ("candidate page", "GET", "/admin/candidates/{obj}", "cand", {"national", "region", "site"}),
    ("correct form", "GET", "/admin/candidates/{obj}/correct", "cand", {"national", "region", "site"}),
    ("password reset form", "GET", "/admin/candidates/{obj}/reset-password", "cand", {"national", "region"}),
    ("reveal document", "POST", "/admin/candidates/{obj}/reveal", "cand", {"national", "region", "site"}),
    ("photo", "GET", "/admin/candidates/{obj}/photo", "cand", {"national", "region", "site"}),
    ("notification record", "GET", "/admin/notify/candidate/{obj}", "cand", {"national", "region", "site"}),
    ("review page", "GET", "/admin/review/show/{obj}", "reg", {"national", "region", "site"}),
    ("registration show", "GET", "/admin/registrations/show/{obj}", "reg",
     {"national", "region", "site", "finance"}),
    ("site show", "GET", "/admin/sites/show/{obj}", "site", {"national", "region"}),
    ("site edit", "GET", "/admin/sites/edit/{obj}", "site", {"national", "region"}),
    ("region edit", "GET", "/admin/regions/edit/{obj}", "region", {"national", "region"}),
    ("payment show", "GET", "/admin/payments/show/{obj}", "order", {"national", "region", "finance"}),
    ("fee edit", "GET", "/admin/fees/edit/{obj}", "fee", {"national", "region"}),
    ("site edit post", "POST", "/admin/sites/edit/{obj}", "site", {"national", "region"}),
    ("region edit post", "POST", "/admin/regions/edit/{obj}", "region", {"national", "region"}),
    ("fee delete", "POST", "/admin/fees/delete/{obj}", "fee", {"national", "region"}),
    # 考场编排 (issue 18)
    ("sign-in sheets", "POST", "/admin/arrangement/sites/{obj}/sheets", "site", {"national", "region", "site"}),
    ("site arrangement", "GET", "/admin/arrangement/sites/{obj}/arrangement.xlsx", "site",
     {"national", "region", "site"}),
    ("arrangement run", "GET", "/admin/arrangement/runs/{obj}", "run", {"national", "region"}),
    ("arrangement publish", "POST", "/admin/arrangement/runs/{obj}/publish", "run", {"national", "region"}),
    ("arrangement discard", "POST", "/admin/arrangement/runs/{obj}/discard", "run", {"national", "region"}),
    # 网上资格审核: the case, its decision, each document route (by the document's link to the case)
    ("online review page", "GET", "/admin/online-review/show/{obj}", "onl", {"national", "region", "site"}),
    ("online decision", "POST", "/admin/online-review/{obj}/decide", "onl", {"national", "region", "site"}),
    ("document verdict", "POST", "/admin/online-review/documents/{obj}", "doclink", {"national", "region", "site"}),
    ("document thumbnail", "GET", "/admin/online-review/documents/{obj}/thumb", "doclink",
     {"national", "region", "site"}),
    ("document page", "GET", "/admin/online-review/documents/{obj}/page", "doclink", {"national", "region", "site"}),
    ("document original", "GET", "/admin/online-review/documents/{obj}/original", "doclink",
     {"national", "region", "site"}),
]
