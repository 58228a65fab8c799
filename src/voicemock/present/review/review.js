(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var audio = document.getElementById("audio");
  var timeline = document.getElementById("timeline");
  var playhead = document.getElementById("playhead");
  var duration = parseFloat(timeline.getAttribute("data-duration")) || 0;
  var words = Array.prototype.slice.call(document.querySelectorAll("#transcript .w[data-start]"));
  var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
  var ends = words.map(function (w) { return parseFloat(w.getAttribute("data-end")); });
  var current = -1;

  function wordAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    // Between words (a pause) nothing is being spoken; keep the last word lit only briefly.
    if (found >= 0 && t > ends[found] + 0.25) { return -1; }
    return found;
  }
  function highlight(t) {
    var i = wordAt(t);
    if (i !== current) {
      if (current >= 0) { words[current].classList.remove("now"); words[current].removeAttribute("aria-current"); }
      if (i >= 0) { words[i].classList.add("now"); words[i].setAttribute("aria-current", "true"); }
      current = i;
    }
    var d = (audio && isFinite(audio.duration) && audio.duration > 0) ? audio.duration : duration;
    if (d > 0) { playhead.style.left = Math.max(0, Math.min(100, 100 * t / d)) + "%"; }
  }
  function seek(t) {
    if (!isFinite(t)) { return; }
    if (audio) { audio.currentTime = t; }
    highlight(t);
  }
  var raf = 0;
  function tick() { highlight(audio.currentTime); raf = audio.paused ? 0 : requestAnimationFrame(tick); }
  if (audio) {
    audio.addEventListener("play", function () { if (!raf) { raf = requestAnimationFrame(tick); } });
    audio.addEventListener("timeupdate", function () { highlight(audio.currentTime); });
    audio.addEventListener("seeked", function () { highlight(audio.currentTime); });
  }

  // ------------------------------------------------------------- clicks: words, markers, sentences
  var selected = null;
  document.addEventListener("click", function (e) {
    var target = e.target;
    if (!(target instanceof Element)) { return; }
    var w = target.closest("#transcript .w[data-start]");
    if (w) { seek(parseFloat(w.getAttribute("data-start"))); }
    else {
      var m = target.closest("[data-seek]");
      if (m) { seek(parseFloat(m.getAttribute("data-seek"))); }
      else if (target === timeline && duration > 0) {
        var r = timeline.getBoundingClientRect();
        seek(duration * (e.clientX - r.left) / r.width);
      }
    }
    var s = target.closest("#transcript .s");
    if (s) { select(s); }
  });
  document.addEventListener("keydown", function (e) {
    var s = e.target instanceof Element ? e.target.closest("#transcript .s") : null;
    if (s && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      if (s.hasAttribute("data-start")) { seek(parseFloat(s.getAttribute("data-start"))); }
      select(s);
    }
  });

  // ------------------------------------------------------------- coach corrections
  function nowIso() { return new Date().toISOString(); }
  var prior = data.corrections || {};
  var state = {
    relabels: {}, overrides: {}, notes: [],
    created_at: prior.created_at || nowIso()
  };
  (prior.relabels || []).forEach(function (r) { state.relabels[key(r)] = r; });
  (prior.score_overrides || []).forEach(function (o) { state.overrides[o.dimension] = o; });
  (prior.notes || []).forEach(function (n) { state.notes.push(n); });
  var coachInput = document.getElementById("coach-name");
  coachInput.value = prior.coach || "";
  function coach() { return coachInput.value.trim(); }
  function key(r) { return r.text + "@" + (r.start == null ? "" : Number(r.start).toFixed(1)); }
  function el(tag, text, cls) { var n = document.createElement(tag); if (text != null) { n.textContent = text; } if (cls) { n.className = cls; } return n; }
  function clock(t) { if (t == null) { return ""; } var m = Math.floor(t / 60); var s = (t - 60 * m).toFixed(1); return m + ":" + (s.length < 4 ? "0" : "") + s; }

  var dimSel = document.getElementById("relabel-dimension");
  var polSel = document.getElementById("relabel-polarity");
  data.signal_dimensions.forEach(function (d) { var o = el("option", d); o.value = d; dimSel.appendChild(o); });
  data.polarities.forEach(function (p) { var o = el("option", p); o.value = p; polSel.appendChild(o); });
  // The classifier's vocabulary ties them: neutral <=> dimension none.
  polSel.addEventListener("change", function () {
    if (polSel.value === "neutral") { dimSel.value = "none"; }
    else if (dimSel.value === "none") { dimSel.value = data.signal_dimensions[0]; }
  });
  dimSel.addEventListener("change", function () {
    if (dimSel.value === "none") { polSel.value = "neutral"; }
    else if (polSel.value === "neutral") { polSel.value = "strong"; }
  });

  function select(s) {
    if (selected) { selected.classList.remove("selected"); }
    selected = s;
    s.classList.add("selected");
    var info = data.sentences[parseInt(s.getAttribute("data-s"), 10)];
    document.getElementById("relabel-empty").classList.add("hidden");
    document.getElementById("relabel-form").classList.remove("hidden");
    document.getElementById("relabel-text").textContent = info.text;
    document.getElementById("relabel-time").textContent = clock(info.start);
    document.getElementById("relabel-original").textContent = info.polarity ?
      info.polarity + " " + info.dimension + (info.signal ? " (" + info.signal + ")" : "") : "no signal (neutral)";
    var existing = state.relabels[key(info)];
    dimSel.value = existing ? existing.dimension : (info.dimension && data.signal_dimensions.indexOf(info.dimension) >= 0 ? info.dimension : "none");
    polSel.value = existing ? existing.polarity : (info.polarity || "neutral");
  }

  function paint(s, dimension, polarity) {
    s.classList.remove("ev", "pol-strong", "pol-weak");
    s.classList.add("coach");
    var old = s.querySelector(".badge");
    if (old) { old.remove(); }
    if (polarity === "strong" || polarity === "weak") {
      var c = data.colors[dimension] || "#777";
      s.classList.add("ev", "pol-" + polarity);
      s.style.setProperty("--c", c);
      s.style.setProperty("--t", c + "2e");
      var b = el("span", (polarity === "strong" ? "+" : "\u2212") + dimension, "badge");
      b.setAttribute("aria-hidden", "true");
      s.insertBefore(b, s.firstChild);
    }
  }

  document.getElementById("relabel-apply").addEventListener("click", function () {
    if (!selected) { return; }
    var info = data.sentences[parseInt(selected.getAttribute("data-s"), 10)];
    var r = {
      text: info.text, start: info.start, end: info.end,
      dimension: dimSel.value, polarity: polSel.value,
      original_dimension: info.polarity ? info.dimension : "none",
      original_polarity: info.polarity || "neutral",
      original_signal: info.signal || null,
      coach: coach(), created_at: nowIso()
    };
    state.relabels[key(r)] = r;
    paint(selected, r.dimension, r.polarity);
    render();
  });

  Array.prototype.forEach.call(document.querySelectorAll("input[data-override]"), function (input) {
    input.addEventListener("change", function () {
      var dim = input.getAttribute("data-override");
      var shown = document.querySelector('[data-coach-score="' + CSS.escape(dim) + '"]');
      var v = parseFloat(input.value);
      if (input.value === "" || !isFinite(v)) { delete state.overrides[dim]; shown.classList.add("hidden"); render(); return; }
      v = Math.max(1, Math.min(5, v));
      input.value = v;
      var offset = input.getAttribute("data-raw-offset");
      state.overrides[dim] = {
        dimension: dim, score: v,
        original_score: parseFloat(input.getAttribute("data-original")),
        raw_offset: offset === "" ? null : parseFloat(offset),
        coach: coach(), created_at: nowIso()
      };
      shown.textContent = "coach " + v.toFixed(1);
      shown.classList.remove("hidden");
      render();
    });
  });

  document.getElementById("note-add").addEventListener("click", function () {
    var box = document.getElementById("note-text");
    var text = box.value.trim();
    if (!text) { return; }
    var at = document.getElementById("note-at-time").checked && audio ? Math.round(audio.currentTime * 1000) / 1000 : null;
    state.notes.push({ text: text, at: at, coach: coach(), created_at: nowIso() });
    box.value = "";
    render();
  });
  coachInput.addEventListener("change", render);

  function doc() {
    return {
      version: 1, session: data.session, question_id: data.question_id, competency: data.competency,
      coach: coach(), created_at: state.created_at, updated_at: nowIso(),
      relabels: Object.keys(state.relabels).map(function (k) { return state.relabels[k]; }),
      score_overrides: Object.keys(state.overrides).map(function (k) { return state.overrides[k]; }),
      notes: state.notes
    };
  }
  window.voicemockCorrections = doc;

  function render() {
    var list = document.getElementById("coach-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var d = doc();
    d.relabels.forEach(function (r) {
      var li = el("li");
      li.appendChild(el("b", "Relabel "));
      li.appendChild(el("q", r.text));
      li.appendChild(document.createTextNode(" \u2192 " + r.polarity + " " + r.dimension +
        " (was " + (r.original_polarity || "?") + " " + (r.original_dimension || "?") + ")"));
      list.appendChild(li);
    });
    d.score_overrides.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("b", "Score "));
      li.appendChild(document.createTextNode(o.dimension + ": " + o.score + " (scorer " + o.original_score + ")"));
      list.appendChild(li);
    });
    d.notes.forEach(function (n) {
      var li = el("li");
      li.appendChild(el("b", "Note" + (n.at != null ? " at " + clock(n.at) : "") + (n.coach ? " (" + n.coach + ")" : "") + ": "));
      li.appendChild(document.createTextNode(n.text));
      list.appendChild(li);
    });
    var json = JSON.stringify(d, null, 2);
    document.getElementById("export-json").value = json;
    document.getElementById("export").setAttribute("href", "data:application/json;charset=utf-8," + encodeURIComponent(json));
  }
  render();
  // Printed, the evidence lists are part of the record: open them, and close them again after.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () { closed.forEach(function (d) { d.open = false; }); closed = []; });
})();
