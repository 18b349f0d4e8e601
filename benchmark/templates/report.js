(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("arabench-data").textContent);
  var colors = data.colors || {};
  var state = { source: "gold", doc: 0 };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function goldFor(view) {
    if (data.gold[view]) return { view: view, spans: data.gold[view] };
    var first = Object.keys(data.gold)[0];
    return { view: first, spans: data.gold[first] };
  }

  // Render text with (possibly nested, possibly crossing) spans as nested boxes.
  function render(text, spans, exact) {
    var sorted = spans.slice().sort(function (a, b) { return a[0] - b[0] || b[1] - a[1] || (a[2] < b[2] ? -1 : 1); });
    var root = el("span");
    var stack = [{ node: root, end: Infinity, span: null }];
    var pos = 0;
    function open(span, cont) {
      var c = colors[span[2]] || "#888";
      var cls = "ent" + (exact && !exact[span.join(",")] ? " miss" : "") + (cont ? " cont" : "");
      var node = el("span", { "class": cls, "data-type": span[2], style: "--c:" + c, title: span[2] + " [" + span[0] + ", " + span[1] + ")" });
      stack[stack.length - 1].node.appendChild(node);
      stack.push({ node: node, end: span[1], span: span });
    }
    function closeTop() {
      var top = stack.pop();
      top.node.appendChild(el("span", { "class": "tag", text: top.span[2] }));
    }
    function emit(upto) {
      if (upto > pos) { stack[stack.length - 1].node.appendChild(document.createTextNode(text.slice(pos, upto))); pos = upto; }
    }
    function closeUntil(at) {
      // close every span ending at or before `at`; spans crossing a closing one are split and reopened
      while (true) {
        var idx = -1;
        for (var i = 1; i < stack.length; i++) if (stack[i].end <= at) { idx = i; break; }
        if (idx < 0) return;
        var reopen = [];
        while (stack.length > idx + 1) { var inner = stack[stack.length - 1]; reopen.unshift(inner.span); closeTop(); }
        emit(stack[idx].end);
        closeTop();
        reopen.forEach(function (s) { if (s[1] > pos) open(s, true); });
      }
    }
    sorted.forEach(function (span) {
      var minEnd = Infinity;
      for (var i = 1; i < stack.length; i++) minEnd = Math.min(minEnd, stack[i].end);
      while (minEnd <= span[0]) { emit(minEnd); closeUntil(minEnd); minEnd = Infinity; for (var j = 1; j < stack.length; j++) minEnd = Math.min(minEnd, stack[j].end); }
      emit(span[0]);
      open(span, false);
    });
    while (stack.length > 1) {
      var m = Infinity;
      for (var k = 1; k < stack.length; k++) m = Math.min(m, stack[k].end);
      emit(m); closeUntil(m);
    }
    emit(text.length);
    return root;
  }

  function sources() {
    var list = [{ key: "gold", label: "gold" }];
    data.models.forEach(function (m, i) { list.push({ key: "m" + i, label: m.name }); });
    return list;
  }

  function drawText() {
    var doc = data.documents[state.doc];
    var box = document.getElementById("text");
    box.innerHTML = "";
    if (!doc) { box.textContent = "(no document)"; return; }
    var spans, note, exact = null, view;
    if (state.source === "gold") {
      var g = goldFor(data.gold_view || "native");
      spans = g.spans[state.doc]; view = g.view;
      note = "Gold annotation (" + view + " view), nested spans included: " + spans.length + " mentions.";
    } else {
      var model = data.models[parseInt(state.source.slice(1), 10)];
      spans = model.spans[state.doc] || []; view = model.view;
      var gold = goldFor(view);
      if (gold.view === view) {
        exact = {};
        gold.spans[state.doc].forEach(function (s) { exact[s.join(",")] = true; });
      }
      note = model.name + " predictions (" + view + " view): " + spans.length + " spans." +
        (exact ? " Dashed: not an exact match (same characters and type) of a gold span." : "");
    }
    document.getElementById("viewnote").textContent = note;
    box.appendChild(render(doc.text, spans, exact));
    drawLegend(spans);
  }

  function drawLegend(spans) {
    var legend = document.getElementById("legend");
    legend.innerHTML = "";
    var seen = {};
    spans.forEach(function (s) { seen[s[2]] = (seen[s[2]] || 0) + 1; });
    Object.keys(colors).forEach(function (t) {
      if (!seen[t]) return;
      legend.appendChild(el("span", { "data-type": t }, [el("span", { "class": "sw", style: "background:" + colors[t] }), t + " (" + seen[t] + ")"]));
    });
  }

  function drawSwitch() {
    var sw = document.getElementById("switch");
    sw.innerHTML = "";
    sources().forEach(function (s) {
      var b = el("button", { type: "button", role: "tab", "data-source": s.key, "aria-selected": String(s.key === state.source), text: s.label });
      b.addEventListener("click", function () { state.source = s.key; drawSwitch(); drawText(); });
      sw.appendChild(b);
    });
    var sel = document.getElementById("docsel");
    if (!sel.options.length) {
      data.documents.forEach(function (d, i) { sel.appendChild(el("option", { value: String(i), text: d.id })); });
      sel.addEventListener("change", function () { state.doc = parseInt(sel.value, 10); drawText(); });
    }
  }

  function fillSelect(id, values) {
    var sel = document.getElementById(id);
    values.forEach(function (v) { sel.appendChild(el("option", { value: v, text: v })); });
    sel.addEventListener("change", drawErrors);
  }

  function spanCell(s) {
    if (!s) return el("td", { "class": "muted", text: "—" });
    return el("td", {}, [el("span", { "class": "ar", dir: "rtl", text: s.text }), " ", el("code", { text: s.type + " " + s.start + "–" + s.end })]);
  }

  function contextCell(e) {
    var c = e.context, spans = [e.gold, e.pred].filter(Boolean);
    var lo = Math.min.apply(null, spans.map(function (s) { return s.start; }));
    var hi = Math.max.apply(null, spans.map(function (s) { return s.end; }));
    var a = c.text.slice(0, lo - c.start), b = c.text.slice(lo - c.start, hi - c.start), z = c.text.slice(hi - c.start);
    return el("td", { "class": "ctx", dir: "rtl" }, ["…" + a, el("mark", { text: b }), z + "…"]);
  }

  var MAX_ROWS = 2000;
  function drawErrors() {
    var fm = document.getElementById("f-model").value, fk = document.getElementById("f-kind").value;
    var fl = document.getElementById("f-layer").value, fv = document.getElementById("f-view").value;
    var body = document.getElementById("errbody");
    body.innerHTML = "";
    var shown = 0, total = 0;
    data.errors.forEach(function (e) {
      if ((fm && e.model !== fm) || (fk && e.kind !== fk) || (fl && e.layer !== fl) || (fv && e.view !== fv)) return;
      total++;
      if (shown >= MAX_ROWS) return;
      shown++;
      body.appendChild(el("tr", { "data-model": e.model, "data-kind": e.kind }, [
        el("td", {}, [el("code", { text: e.model })]), el("td", { text: e.view }),
        el("td", {}, [el("span", { "class": "kind " + e.kind, text: e.kind.replace(/_/g, " ") + (e.proclitic_only ? " (proclitic)" : "") })]),
        spanCell(e.gold), spanCell(e.pred), contextCell(e)
      ]));
    });
    document.getElementById("f-count").textContent = total + " errors" + (total > shown ? " (first " + shown + " shown)" : "");
  }

  function uniq(key) {
    var out = [];
    data.errors.forEach(function (e) { if (out.indexOf(e[key]) < 0) out.push(e[key]); });
    return out;
  }

  drawSwitch();
  drawText();
  fillSelect("f-model", data.models.map(function (m) { return m.name; }));
  fillSelect("f-kind", uniq("kind").sort());
  fillSelect("f-view", uniq("view"));
  var viewSel = document.getElementById("f-view");
  if (uniq("view").indexOf(data.view) >= 0) viewSel.value = data.view;  // default: the leaderboard view
  document.getElementById("f-layer").addEventListener("change", drawErrors);
  drawErrors();
  document.body.setAttribute("data-ready", "1");
})();
