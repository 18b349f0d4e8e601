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

  // Arabic joining (Unicode ArabicShaping.txt) of the letters a highlight edge may fall between: D dual-joining,
  // R right-joining, C join-causing (tatweel, ZWJ), T transparent (marks, skipped); anything else does not join.
  var JOINING = [
    [0x0610, 0x061A, "T"], [0x0620, 0x0620, "D"], [0x0622, 0x0625, "R"], [0x0626, 0x0626, "D"],
    [0x0627, 0x0627, "R"], [0x0628, 0x0628, "D"], [0x0629, 0x0629, "R"], [0x062A, 0x062E, "D"],
    [0x062F, 0x0632, "R"], [0x0633, 0x063F, "D"], [0x0640, 0x0640, "C"], [0x0641, 0x0647, "D"],
    [0x0648, 0x0648, "R"], [0x0649, 0x064A, "D"], [0x064B, 0x065F, "T"], [0x066E, 0x066F, "D"],
    [0x0670, 0x0670, "T"], [0x0671, 0x0673, "R"], [0x0675, 0x0677, "R"], [0x0678, 0x0687, "D"],
    [0x0688, 0x0699, "R"], [0x069A, 0x06BF, "D"], [0x06C0, 0x06C0, "R"], [0x06C1, 0x06C2, "D"],
    [0x06C3, 0x06CB, "R"], [0x06CC, 0x06CC, "D"], [0x06CD, 0x06CD, "R"], [0x06CE, 0x06CE, "D"],
    [0x06CF, 0x06CF, "R"], [0x06D0, 0x06D1, "D"], [0x06D2, 0x06D3, "R"], [0x06D5, 0x06D5, "R"],
    [0x06D6, 0x06DC, "T"], [0x06DF, 0x06E4, "T"], [0x06E7, 0x06E8, "T"], [0x06EA, 0x06ED, "T"],
    [0x06EE, 0x06EF, "R"], [0x06FA, 0x06FC, "D"], [0x06FF, 0x06FF, "D"], [0x200D, 0x200D, "C"]
  ];
  var ZWJ = "\u200D";
  function joining(ch) {
    var code = ch.charCodeAt(0);
    for (var i = 0; i < JOINING.length; i++) if (code >= JOINING[i][0] && code <= JOINING[i][1]) return JOINING[i][2];
    return "U";
  }
  // True when the letters on either side of offset `at` join (marks between them are skipped): a highlight edge
  // there gets U+200D on both sides so that both letters keep their joined forms across the box border.
  function joinsAt(text, at) {
    var i = at - 1, j = at;
    while (i >= 0 && joining(text[i]) === "T") i--;
    while (j < text.length && joining(text[j]) === "T") j++;
    if (i < 0 || j >= text.length) return false;
    var left = joining(text[i]), right = joining(text[j]);
    return (left === "D" || left === "C") && (right === "D" || right === "R" || right === "C");
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
      // every chunk ends and starts at a highlight edge (or the text's ends): joiners keep the letters joined
      if (upto > pos) {
        var chunk = (joinsAt(text, pos) ? ZWJ : "") + text.slice(pos, upto) + (joinsAt(text, upto) ? ZWJ : "");
        stack[stack.length - 1].node.appendChild(document.createTextNode(chunk));
        pos = upto;
      }
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

  function spanCell(s, label) {
    if (!s) return el("td", { "class": "muted", "data-label": label, text: "—" });
    return el("td", { "data-label": label }, [el("span", { "class": "ar", dir: "rtl", text: s.text }), " ", el("code", { text: s.type + " " + s.start + "–" + s.end })]);
  }

  function contextCell(e) {
    var c = e.context, spans = [e.gold, e.pred].filter(Boolean);
    var lo = Math.min.apply(null, spans.map(function (s) { return s.start; }));
    var hi = Math.max.apply(null, spans.map(function (s) { return s.end; }));
    var i = lo - c.start, j = hi - c.start;
    var zi = joinsAt(c.text, i) ? ZWJ : "", zj = joinsAt(c.text, j) ? ZWJ : "";
    var a = c.text.slice(0, i), b = c.text.slice(i, j), z = c.text.slice(j);
    return el("td", { "class": "ctx", dir: "rtl", "data-label": "context" }, ["…" + a + zi, el("mark", { text: zi + b + zj }), zj + z + "…"]);
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
        spanCell(e.gold, "gold"), spanCell(e.pred, "predicted"), contextCell(e)
      ]));
    });
    document.getElementById("f-count").textContent = total + " errors" + (total > shown ? " (first " + shown + " shown)" : "");
  }

  function uniq(key) {
    var out = [];
    data.errors.forEach(function (e) { if (out.indexOf(e[key]) < 0) out.push(e[key]); });
    return out;
  }

  // Copying from the article gives the text itself: the joiners the page added are removed (the text has none).
  var textHasZwj = data.documents.some(function (d) { return d.text.indexOf(ZWJ) >= 0; });
  document.getElementById("text").addEventListener("copy", function (event) {
    if (textHasZwj || !event.clipboardData) return;
    event.clipboardData.setData("text/plain", String(window.getSelection()).split(ZWJ).join(""));
    event.preventDefault();
  });

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
