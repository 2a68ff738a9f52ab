// The canvas's view of the design: zoom, pan to a point, fit, the view as follow mode
// shares it (viewport() / setViewport()), and the stage's size and wheel. These are Canvas
// methods (`this` is the Canvas; canvas.js installs them on its prototype): they share
// its paper and stage, and live here so that canvas.js stays about drawing and gestures.

// The zoom range. A fit may go further out (down to FIT_MIN_SCALE) so that a big board is
// shown whole; zooming by hand stops at MIN_SCALE unless the view is already below it.
export const MIN_SCALE = 0.2;
export const FIT_MIN_SCALE = 0.02;
const MAX_SCALE = 2.5;
// The paper's translation is kept on a 1/64 px grid (invisible): follow mode sends the view
// as a centre in canvas coordinates, and a follower with the same window size must land on
// exactly the leader's translation after the round trip through floating point. (Chromium
// keeps the matrix in single precision: multiples of 1/64 are exact below 2^18 px.)
const TRANSLATE_GRID = 64;
const snapTranslate = (v) => (Math.abs(v) < 2 ** 18 ? Math.round(v * TRANSLATE_GRID) / TRANSLATE_GRID : v);

export const viewportMethods = {
  visibleArea() {
    const r = this.stage.getBoundingClientRect();
    return this.paper.clientToLocalRect(r.left, r.top, r.width, r.height);
  },

  /** The centre of what is on screen, in canvas coordinates. */
  centre() {
    return this.visibleArea().center();
  },

  centreOn(point) {
    const { sx } = this.paper.scale();
    const size = this.stage.getBoundingClientRect();
    this.paper.translate(size.width / 2 - point.x * sx, size.height / 2 - point.y * sx);
  },

  clientToLocal(x, y) {
    return this.paper.clientToLocalPoint(x, y);
  },

  zoomAt(scale, clientX, clientY) {
    const floor = Math.min(MIN_SCALE, this.zoom);
    const next = Math.min(MAX_SCALE, Math.max(floor, scale));
    const point = this.paper.clientToLocalPoint(clientX, clientY);
    this.paper.scaleUniformAtPoint(next, point);
  },

  zoomBy(factor) {
    const r = this.stage.getBoundingClientRect();
    this.zoomAt(this.paper.scale().sx * factor, r.left + r.width / 2, r.top + r.height / 2);
  },

  fit() {
    if (!this.graph.getElements().length) {
      this.paper.scale(1, 1);
      this.paper.translate(0, 0);
      return;
    }
    this.paper.transformToFitContent({
      padding: 56, maxScale: 1, minScale: FIT_MIN_SCALE, useModelGeometry: true,
      horizontalAlign: "middle", verticalAlign: "middle",
    });
  },

  get zoom() {
    return this.paper.scale().sx;
  },

  /** The stage's size in CSS pixels (the paper is kept exactly this size). */
  stageSize() {
    // Kept by the resize observer: reading clientWidth here would force a layout of the
    // whole drawing on every pan and zoom of a big board.
    if (!this.stageBox) this.stageBox = { width: this.stage.clientWidth, height: this.stage.clientHeight };
    return { ...this.stageBox };
  },

  /**
   * The view as follow mode shares it: the centre of what is on screen in canvas
   * coordinates (x, y), the scale (zoom), and the visible width and height in canvas units
   * (w, h), so that a follower with another window size can fit the same area.
   */
  viewport() {
    const { a, e, f } = this.paper.matrix();
    const { width, height } = this.stageSize();
    return { x: (width / 2 - e) / a, y: (height / 2 - f) / a, zoom: a, w: width / a, h: height / a };
  },

  /**
   * Show the view `box` of someone we follow: their centre at the centre of our stage. With
   * their visible size (w, h), that area is fitted into our window (a smaller window zooms
   * out rather than crop); without it, their scale is kept.
   */
  setViewport(box) {
    if (!box || ![box.x, box.y, box.zoom].every(Number.isFinite) || box.zoom <= 0) return;
    const { width, height } = this.stageSize();
    if (!width || !height) return;
    let scale = box.zoom;
    if (Number.isFinite(box.w) && Number.isFinite(box.h) && box.w > 0 && box.h > 0) {
      const fit = Math.min(width / box.w, height / box.h);
      // The same window size gives the leader's scale back but for rounding: keep it exact.
      if (Math.abs(fit - scale) > scale * 1e-9) scale = fit;
    }
    const s = Math.min(MAX_SCALE, Math.max(FIT_MIN_SCALE, scale));
    const x = Math.max(-1e6, Math.min(1e6, box.x));
    const y = Math.max(-1e6, Math.min(1e6, box.y));
    const e = snapTranslate(width / 2 - x * s);
    const f = snapTranslate(height / 2 - y * s);
    this.paper.matrix({ a: s, b: 0, c: 0, d: s, e, f }, { source: "remote" });
  },

  /** Run `change` (which moves or resizes the stage) and keep the diagram where it was on
   * the screen: the stage grows or shrinks around it. */
  keepScreenPlace(change) {
    const before = this.stage.getBoundingClientRect();
    change();
    const after = this.stage.getBoundingClientRect();
    const dx = before.left - after.left;
    const dy = before.top - after.top;
    if (dx || dy) {
      const { tx, ty } = this.paper.translate();
      this.paper.translate(tx + dx, ty + dy);
    }
  },

  /** Run `fn` (which may move the view) without it counting as the user's own move. */
  automatically(fn) {
    const before = this.transformSource;
    this.transformSource = "auto";
    try {
      return fn();
    } finally {
      this.transformSource = before;
    }
  },

  /**
   * Keep the paper the size of the stage, pan with the wheel or a trackpad (zoom with
   * Ctrl+wheel or a pinch, which Chromium and Firefox report as a wheel with ctrlKey; Safari
   * as gesture events), report the pointer (for
   * the others' view of our cursor), and keep the view's translation on its grid.
   */
  bindStage() {
    const { paper, stage } = this;
    // detail.source says who moved the view: "user" (a gesture, a button, a key),
    // "remote" (follow mode mirroring someone) or "auto" (the first fit after loading).
    paper.on("transform", (matrix, data) => {
      const [e, f] = [snapTranslate(matrix.e), snapTranslate(matrix.f)];
      if (e !== matrix.e || f !== matrix.f) {
        paper.translate(e, f, data); // comes back here, on the grid
        return;
      }
      this.placeEditor();
      this.viewChanged();
      const source = (data && data.source) || this.transformSource;
      this.dispatchEvent(new CustomEvent("transform", { detail: { source } }));
    });

    // Keep the paper exactly the size of its box (the grid and hit areas follow it).
    const fitPaper = () => {
      const { width, height } = stage.getBoundingClientRect();
      this.stageBox = { width: stage.clientWidth, height: stage.clientHeight };
      if (!width || !height) return;
      this.paper.setDimensions(Math.round(width), Math.round(height));
      this.viewChanged();
      // Follow mode fits the leader's view to our size, and shares ours when it changes.
      this.dispatchEvent(new CustomEvent("resize", { detail: this.stageSize() }));
    };
    new ResizeObserver(fitPaper).observe(stage);
    fitPaper();
    stage.addEventListener("wheel", (e) => {
      e.preventDefault();
      // Lines or pages (a mouse wheel in some browsers) to pixels.
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? stage.clientHeight : 1;
      if (e.ctrlKey || e.metaKey) {
        const factor = Math.exp(-e.deltaY * unit * 0.01);
        this.zoomAt(this.zoom * factor, e.clientX, e.clientY);
        return;
      }
      // Shift+wheel scrolls sideways on a mouse that has only one wheel.
      let dx = e.deltaX * unit;
      let dy = e.deltaY * unit;
      if (e.shiftKey && !dx) [dx, dy] = [dy, 0];
      const { tx, ty } = this.paper.translate();
      this.paper.translate(tx - dx, ty - dy);
    }, { passive: false });
    // Safari's pinch (gesture events; no ctrlKey wheel there).
    let gestureStart = 0;
    stage.addEventListener("gesturestart", (e) => {
      e.preventDefault();
      gestureStart = this.zoom;
    });
    stage.addEventListener("gesturechange", (e) => {
      e.preventDefault();
      if (gestureStart) this.zoomAt(gestureStart * e.scale, e.clientX, e.clientY);
    });
    stage.addEventListener("pointermove", (e) => {
      const p = this.paper.clientToLocalPoint(e.clientX, e.clientY);
      this.dispatchEvent(new CustomEvent("pointer", { detail: { x: Math.round(p.x), y: Math.round(p.y) } }));
    });
    window.addEventListener("resize", () => this.placeEditor());
  },
};
