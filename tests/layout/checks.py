"""What "the layout holds" means, measured in the page by Chromium.

:data:`OVERFLOW_SCRIPT` returns a list of problems (empty when the layout holds):

- the document is wider than the viewport (``scrollWidth > innerWidth``): the reader would
  have to scroll sideways, and on a phone numbers are cut off;
- an element's right edge lies beyond the viewport;
- an element clips its own content sideways (``overflow`` hidden or clipped and content wider
  than its box): text cut off inside a box;
- a word of up to :data:`SHORT_WORD` characters (letters, digits, ``_`` and ordinary
  punctuation, between spaces or hyphens) is broken across two lines ("ope/n",
  "negativ/e_shar/e"): words that short must wrap as a whole. Longer runs (a hostile
  280-character word, a long link or handle) may break anywhere: that keeps them inside the
  column. Runs with other characters (emoji, slashes) are not judged.
"""

from __future__ import annotations

#: The longest word that must never be broken across lines.
SHORT_WORD = 20

OVERFLOW_SCRIPT = (
    """
(() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const text = (el.innerText || el.getAttribute('alt') || '').trim().slice(0, 60);
    return `<${el.tagName.toLowerCase()}> "${text}"`;
  };
  const doc = document.documentElement;
  if (doc.scrollWidth > width) {
    problems.push(`document is ${doc.scrollWidth}px wide in a ${width}px viewport`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5) {
      problems.push(`${describe(el)} ends at ${Math.round(box.right)}px (viewport ${width}px)`);
    }
    const style = getComputedStyle(el);
    if (['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${describe(el)} clips its content (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /[^\\s\\-\\u2010-\\u2014]+/gu;
  const judged = /^[\\p{L}\\p{N}_.,:;'\u2019()%@#+!?&"]+$/u;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(word)) {
      if (m[0].length < 2 || m[0].length > SHORT_WORD || !judged.test(m[0])) continue;
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set(
        [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))
      );
      if (lines.size > 1) {
        problems.push(`the word "${m[0]}" is broken across ${lines.size} lines`);
      }
    }
  }
  return problems;
})()
"""
).replace("SHORT_WORD", str(SHORT_WORD))
