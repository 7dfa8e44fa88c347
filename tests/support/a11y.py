"""axe-core (npm, node_modules/axe-core, installed by scripts/setup.sh) and layout checks for browser tests."""
from __future__ import annotations

import os
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations on the page, one line each: rule, then the first offending elements."""
    page.add_script_tag(path=str(AXE))  # inline: the context must be opened with bypass_csp=True
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']}: {v['help']} @ " + " | ".join(n["target"][0] if isinstance(n["target"][0], str)
                                                   else str(n["target"]) for n in v["nodes"][:3])
            for v in result["violations"]]


def overflow_px(page) -> int:
    """How far the page is wider than the window (horizontal scrolling), in CSS pixels."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def small_targets(page, minimum: int = 44) -> list[str]:
    """Visible buttons, links in menus and bars, and form controls smaller than minimum × minimum px
    (links inside running text are exempt, as WCAG 2.5.5 allows)."""
    return page.evaluate("""min => {
      const out = [];
      const sel = 'button, input:not([type=hidden]), select, textarea, a.button, nav a, .actions a, footer a, .tabs a';
      for (const el of document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden' || el.closest('.visually-hidden') ||
            el.getAttribute('aria-hidden') === 'true' || el.closest('p, li:not(nav li), dd, td:not(.stack-action)') && el.tagName === 'A') continue;
        // a checkbox or radio button is tapped together with its label
        const label = (el.type === 'checkbox' || el.type === 'radio') &&
                      (el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)));
        const lr = label ? label.getBoundingClientRect() : r;
        const box = label ? {width: Math.max(r.right, lr.right) - Math.min(r.left, lr.left),
                             height: Math.max(r.bottom, lr.bottom) - Math.min(r.top, lr.top)} : r;
        if (box.height < min - 0.5 || box.width < min - 0.5)
          out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${(el.innerText || el.value || el.name || '').trim().slice(0, 20)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
      return out;
    }""", minimum)


def small_text_inputs(page, minimum: int = 16) -> list[str]:
    """Text inputs whose font is below 16 px (iOS zooms into them)."""
    return page.evaluate("""min => [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea')]
      .filter(el => el.getBoundingClientRect().width && parseFloat(getComputedStyle(el).fontSize) < min)
      .map(el => `${el.tagName.toLowerCase()}#${el.id || el.name} ${getComputedStyle(el).fontSize}`)""", minimum)


def shot(page, name: str) -> None:
    """A screenshot when SCREENSHOT_DIR is set (for a person to look at; never in the repository)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
