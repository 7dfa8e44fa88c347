"""Jinja's ``{% from "x.html" import macro %}`` without its per-render set arithmetic.

On every import Jinja checks whether the importing template has globals the imported one lacks
(``ctx.globals_keys - self.globals.keys()``); only then does it build a fresh module, else it returns the
module it keeps. The template's globals are a ``ChainMap`` over the environment's, and that subtraction
iterates the ChainMap's keys view in Python, about 30 µs an import; a wizard page imports macros two or three
times. The same question asked of the ChainMap's dicts directly (``set.difference``, in C) gets the same
answer; the rare case with a difference, and any other kind of globals, go to Jinja's own code.
"""
from __future__ import annotations

from collections import ChainMap

from jinja2 import Template


class QuickImportTemplate(Template):
    def _get_default_module(self, ctx=None):
        globals_ = self.globals
        if ctx is not None and type(globals_) is ChainMap and not ctx.globals_keys.difference(*globals_.maps):
            ctx = None  # nothing the imported template lacks: Jinja would return the module it keeps
        return super()._get_default_module(ctx)
