// Card geometry in the browser: the same algorithm as components/cards.py, step for step,
// on the same width table (catalogue_as_json().cards), so that a card on the canvas has the
// size, the line breaks and the type line it has in the auto-layout and in every export,
// and nothing is measured in the browser (measuring text at load was most of the time a
// big board took to draw). tests/fixtures/cards.json holds expected results that both
// sides are tested against (tests/js/cards.test.mjs).
//
// No DOM here: the module also runs under Node for its test.

const SPACE = /[ \t\n\r\f\v]+/g;
const BREAK = /\r\n|\r|\n/;
const PIECE = /[^/-]*[/-]+|[^/-]+/g;

/** Code points of `text` (Python's string indexing). */
const points = (text) => Array.from(text);

/** Whitespace runs made one space, the ends' spaces trimmed (step 1). */
export function collapse(text) {
  return String(text).replace(SPACE, " ").replace(/^ +| +$/g, "");
}

export class Cards {
  /** @param {object} config catalogue_as_json().cards */
  constructor(config) {
    this.c = config;
    this.cache = new Map();
  }

  /** The width in px of `text` at `size` in `style` ("regular" | "bold") (step 2). */
  width(text, size, style = "regular") {
    const table = this.c.widths[style] || {};
    let total = 0;
    for (const ch of String(text)) total += table[ch] ?? this.c.unknown_advance;
    return (total * size) / 1000;
  }

  /** (piece, separator before it): "" inside a word, " " between words, "\n" forced. */
  pieces(paragraphs) {
    const out = [];
    paragraphs.forEach((paragraph, p) => {
      let parts = [];
      (paragraph ? paragraph.split(" ") : []).forEach((word, w) => {
        (word.match(PIECE) || []).forEach((piece, k) => parts.push([piece, w && !k ? " " : ""]));
      });
      if (!parts.length) parts = [["", ""]];
      out.push([parts[0][0], p ? "\n" : ""]);
      out.push(...parts.slice(1));
    });
    return out;
  }

  /** Paragraphs wrapped into at most `maxLines` lines of width `avail` (step 3). */
  wrap(paragraphs, avail, size, style, maxLines) {
    const pieces = this.pieces(paragraphs);
    const lines = [];
    let hard = false;
    let i = 0;
    while (i < pieces.length && lines.length < maxLines) {
      let line = "";
      const start = i;
      while (i < pieces.length) {
        const [piece, sep] = pieces[i];
        if (sep === "\n" && i > start) break;
        const candidate = line + (sep === " " && line ? " " : "") + piece;
        if (this.width(candidate, size, style) > avail) break;
        line = candidate;
        i += 1;
      }
      if (i === start) {
        const piece = points(pieces[i][0]);
        let k = 1;
        while (k < piece.length && this.width(piece.slice(0, k + 1).join(""), size, style) <= avail) k += 1;
        line = piece.slice(0, k).join("");
        pieces[i] = [piece.slice(k).join(""), ""];
        hard = true;
      }
      lines.push(line);
    }
    if (i >= pieces.length) return { lines, truncated: false, hard };
    let rest = lines[lines.length - 1];
    for (const [piece, sep] of pieces.slice(i)) rest += (sep && rest ? " " : "") + piece;
    const chars = points(rest);
    let cut = this.c.ellipsis;
    for (let k = chars.length; k >= 0; k -= 1) {
      const candidate = chars.slice(0, k).join("").replace(/ +$/, "") + this.c.ellipsis;
      if (this.width(candidate, size, style) <= avail) {
        cut = candidate;
        break;
      }
    }
    lines[lines.length - 1] = cut;
    return { lines, truncated: true, hard };
  }

  /** The card width chosen by step 4 and the text wrapped at it. */
  fit(paragraphs, size, style, maxLines, need) {
    const { min_width: min, max_width: max, width_step: step, pad_left: left, pad_right: right } = this.c;
    const tried = [];
    for (let width = min; width <= max; width += step) {
      const avail = width - left - right;
      const wrapped = this.wrap(paragraphs, avail, size, style, maxLines);
      if (!wrapped.truncated && !wrapped.hard && need <= avail) return [width, wrapped];
      tried.push([width, wrapped]);
    }
    for (const [width, wrapped] of tried) if (!wrapped.truncated) return [width, wrapped];
    return tried[tried.length - 1];
  }

  /**
   * The card of a component labelled `label` whose type is titled `typeTitle` (or a note):
   * {width, height, lines, line_ys, type_line, type_y, truncated}. Cached by its inputs.
   */
  geometry(label, typeTitle, isNote = false) {
    const key = `${isNote ? "n" : "c"}\u0000${typeTitle}\u0000${label}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.compute(String(label ?? ""), String(typeTitle ?? ""), isNote);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(key, found);
    }
    return found;
  }

  compute(label, typeTitle, isNote) {
    const { note, type, pad_left: left, pad_right: right } = this.c;
    if (isNote) {
      const paragraphs = label.split(BREAK).map(collapse);
      while (paragraphs.length && !paragraphs[paragraphs.length - 1]) paragraphs.pop();
      const [width, wrapped] = this.fit(paragraphs, note.size, note.style, note.max_lines, 0);
      return this.place(width, wrapped, note.line, null);
    }
    const text = collapse(label);
    const showType = Boolean(text) && text.toLowerCase() !== typeTitle.toLowerCase();
    const need = showType ? this.width(typeTitle, type.size, type.style) : 0;
    const l = this.c.label;
    const [width, wrapped] = this.fit([text || typeTitle], l.size, l.style, l.max_lines, need);
    let typeLine = null;
    if (showType) {
      typeLine = this.wrap([typeTitle], width - left - right, type.size, type.style, 1).lines[0];
    }
    return this.place(width, wrapped, l.line, typeLine);
  }

  place(width, wrapped, lineHeight, typeLine) {
    const { type, min_height: minHeight, pad_y: padY } = this.c;
    const n = wrapped.lines.length;
    const block = n * lineHeight + (typeLine ? type.gap + type.line : 0);
    const height = Math.max(minHeight, 2 * padY + block);
    const top = (height - block) / 2;
    const lineYs = wrapped.lines.map((_, k) => top + lineHeight * (k + 0.5));
    const typeY = top + n * lineHeight + type.gap + type.line / 2;
    return {
      width,
      height,
      lines: wrapped.lines,
      line_ys: lineYs,
      type_line: typeLine,
      type_y: typeLine ? typeY : null,
      truncated: wrapped.truncated,
    };
  }
}
