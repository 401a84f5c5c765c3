/* page.js - the page's own script: sortable tables, and the charts drawn as
   inline SVG from the JSON in <script id="report-data"> (histograms, execute
   series, the one-execute timeline with zoom, pan and hover).  Every string
   from the recording reaches the page as text (textContent), never as markup. */
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('report-data').textContent);

  function human(ns) {
    var a = Math.abs(ns), u = [[1e9, ' s'], [1e6, ' ms'], [1e3, ' us']];
    for (var i = 0; i < u.length; i++) {
      if (a >= u[i][0]) {
        var v = ns / u[i][0];
        return (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)) + u[i][1];
      }
    }
    return Math.round(ns) + ' ns';
  }
  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, anchor) {
    var t = svg('text', { x: x, y: y, 'text-anchor': anchor || 'start' }, parent);
    t.textContent = s;
    return t;
  }
  function titled(e, s) { svg('title', {}, e).textContent = s; return e; }

  /* --- tooltips --------------------------------------------------------- */
  var tip = document.createElement('div');
  tip.className = 'tip';
  tip.hidden = true;
  document.body.appendChild(tip);
  function showTip(ev, lines) {
    tip.textContent = '';
    lines.forEach(function (l, i) {
      if (i) tip.appendChild(document.createElement('br'));
      tip.appendChild(document.createTextNode(l));
    });
    tip.hidden = false;
    tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - 300) + 'px';
    tip.style.top = (ev.clientY + 12) + 'px';
  }
  function hideTip() { tip.hidden = true; }

  /* --- sortable tables ------------------------------------------------------ */
  function cellValue(tr, i) {
    var c = tr.children[i];
    if (!c) return '';
    var v = c.getAttribute('data-v');
    return v !== null && v !== '' ? parseFloat(v) : c.textContent;
  }
  function sortBy(table, i, th) {
    var desc = th.getAttribute('aria-sort') !== 'descending';
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, i), y = cellValue(b, i), c;
      if (typeof x === 'number' && typeof y === 'number') c = x - y;
      else if (typeof x === 'number') c = 1;
      else if (typeof y === 'number') c = -1;
      else c = String(x).localeCompare(String(y));
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
  }
  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var b = th.querySelector('button');
      if (b) b.addEventListener('click', function () { sortBy(table, i, th); });
    });
  }

  /* --- a type's histogram ------------------------------------------------------- */
  function binPos(h, v) { /* the x of a duration, in bins, interpolated in log space */
    for (var k = 0; k < h.c.length; k++) {
      if (v < h.lo[k + 1]) {
        var lo = Math.max(h.lo[k], 1), hi = h.lo[k + 1];
        return k + (v <= lo ? 0 : Math.log(v / lo) / Math.log(hi / lo));
      }
    }
    return h.c.length;
  }
  function drawHist(div, h) {
    var W = 260, H = 44, n = h.c.length, bw = W / Math.max(n, 1), max = Math.max.apply(null, h.c);
    var s = svg('svg', { width: W, height: H + 12, viewBox: '0 0 ' + W + ' ' + (H + 12) }, div);
    h.c.forEach(function (c, k) {
      var bh = c ? Math.max(1, H * Math.sqrt(c / max)) : 0;
      titled(svg('rect', { 'class': 'hbar', x: k * bw + 0.5, y: H - bh, width: Math.max(bw - 1, 1), height: bh }, s),
        human(h.lo[k]) + ' to ' + human(h.lo[k + 1]) + ': ' + c);
    });
    [['p50', h.p50], ['p90', h.p90], ['p99', h.p99]].forEach(function (p) {
      var x = binPos(h, p[1]) * bw;
      titled(svg('line', { 'class': 'mark', x1: x, x2: x, y1: 0, y2: H }, s), p[0] + ' ' + human(p[1]));
    });
    text(s, 0, H + 11, human(h.lo[0]));
    text(s, W, H + 11, human(h.lo[n]), 'end');
    text(s, W / 2, H + 11, 'p50 · p90 · p99', 'middle');
  }

  /* --- a model's execute times over iterations ------------------------------------ */
  function drawSeries(div, sr) {
    var W = 760, H = 170, L = 56, B = 18, b = sr.b, last = b[b.length - 1], n = last[0] + last[2];
    var ymax = 0;
    b.forEach(function (p) { ymax = Math.max(ymax, p[5]); });
    ymax = ymax || 1;
    var s = svg('svg', { width: '100%', height: H + B, viewBox: '0 0 ' + (W + L) + ' ' + (H + B),
      preserveAspectRatio: 'none' }, div);
    s.style.maxWidth = (W + L) + 'px';
    function X(i) { return L + W * i / Math.max(n, 1); }
    function Y(v) { return H - (H - 6) * v / ymax; }
    [0, 0.5, 1].forEach(function (f) {
      svg('line', { 'class': 'grid', x1: L, x2: L + W, y1: Y(ymax * f), y2: Y(ymax * f) }, s);
      text(s, L - 4, Y(ymax * f) + 3, human(ymax * f), 'end');
    });
    var top = [], bot = [], mean = [];
    b.forEach(function (p) {
      var x0 = X(p[0]), x1 = X(p[0] + p[2]);
      top.push(x0 + ',' + Y(p[5]), x1 + ',' + Y(p[5]));
      bot.unshift(x1 + ',' + Y(p[3]), x0 + ',' + Y(p[3]));
      mean.push(((x0 + x1) / 2) + ',' + Y(p[4]));
    });
    svg('polygon', { 'class': 'band', points: top.concat(bot).join(' ') }, s);
    svg('polyline', { 'class': 'line', points: mean.join(' ') }, s);
    svg('line', { 'class': 'median', x1: L, x2: L + W, y1: Y(sr.p50), y2: Y(sr.p50) }, s);
    text(s, L, H + 14, 'execute 0');
    text(s, L + W, H + 14, 'execute ' + (n - 1), 'end');
    s.addEventListener('mousemove', function (ev) {
      var r = s.getBoundingClientRect(), i = ((ev.clientX - r.left) / r.width * (W + L) - L) / W * n, p = null;
      b.forEach(function (q) { if (i >= q[0] && i < q[0] + q[2]) p = q; });
      if (!p) return hideTip();
      showTip(ev, ['executes ' + p[0] + (p[2] > 1 ? ' to ' + (p[0] + p[2] - 1) : '') + ' (iteration ' + p[1] + ')',
        'min ' + human(p[3]) + ', mean ' + human(p[4]) + ', max ' + human(p[5])]);
    });
    s.addEventListener('mouseleave', hideTip);
  }

  /* --- one execute as a timeline ----------------------------------------------------- */
  function hue(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
    return h % 360;
  }
  function tlTable(holder, tl) {
    var shaped = tl.ops.some(function (o) { return o.length > 5; });
    var t = document.createElement('table'), head = ['Start', 'Duration', 'Stream', 'Type', 'Name'];
    if (shaped) head.push('Shapes');
    t.className = 'sortable';
    var tr = t.createTHead().insertRow();
    head.forEach(function (h) {
      var th = document.createElement('th'), b = document.createElement('button');
      th.scope = 'col';
      b.type = 'button';
      b.textContent = h;
      th.appendChild(b);
      tr.appendChild(th);
    });
    var body = t.createTBody();
    tl.ops.forEach(function (o) {
      var r = body.insertRow();
      var cells = [[o[0], '+' + human(o[0])], [o[1], human(o[1])], [o[2], String(o[2])], [null, tl.str[o[3]]],
        [null, tl.str[o[4]]]];
      if (shaped) cells.push([null, o.length > 5 ? tl.str[o[5]].replace('\n', ' ') : '']);
      cells.forEach(function (c) {
        var td = r.insertCell();
        if (c[0] !== null) td.setAttribute('data-v', c[0]);
        td.textContent = c[1];
      });
    });
    holder.appendChild(t);
    makeSortable(t);
  }
  function drawTimeline(div, tools, tl) {
    var streams = [], lane = {};
    tl.ops.forEach(function (o) { if (!(o[2] in lane)) { lane[o[2]] = streams.length; streams.push(o[2]); } });
    var L = 70, LH = 26, T = 18, W = Math.max(div.clientWidth || 1000, 400) - 2;
    var H = T + LH * Math.max(streams.length, 1) + 4;
    var end = tl.dur;
    tl.ops.forEach(function (o) { end = Math.max(end, o[0] + o[1]); });
    var view = [0, end || 1];
    var s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H }, div);
    streams.forEach(function (st, i) { text(s, 4, T + LH * i + 17, 'stream ' + st); });
    var axis = svg('g', {}, s), g = svg('g', {}, s);
    var rects = tl.ops.map(function (o) {
      var r = svg('rect', { y: T + LH * lane[o[2]] + 3, height: LH - 6,
        fill: 'hsl(' + hue(tl.str[o[3]]) + ',60%,55%)' }, g);
      r.addEventListener('mousemove', function (ev) {
        var lines = [tl.str[o[4]], 'type ' + tl.str[o[3]], human(o[1]) + ' at +' + human(o[0]) + ', stream ' + o[2]];
        if (o.length > 5) lines = lines.concat(tl.str[o[5]].split('\n'));  /* shapes, when the stream describes them */
        showTip(ev, lines);
      });
      r.addEventListener('mouseleave', hideTip);
      return r;
    });
    function X(t) { return L + (W - L) * (t - view[0]) / (view[1] - view[0]); }
    function render() {
      tl.ops.forEach(function (o, i) {
        var x0 = Math.max(X(o[0]), L - 1), x1 = Math.min(X(o[0] + o[1]), W + 1);
        rects[i].setAttribute('x', x0);
        rects[i].setAttribute('width', Math.max(x1 - x0, x1 > L && x0 < W ? 0.5 : 0));
      });
      axis.textContent = '';
      for (var k = 0; k <= 5; k++) {
        var t = view[0] + (view[1] - view[0]) * k / 5, x = X(t);
        svg('line', { 'class': 'grid', x1: x, x2: x, y1: T - 4, y2: H }, axis);
        text(axis, x, 12, '+' + human(t), k === 5 ? 'end' : k ? 'middle' : 'start');
      }
    }
    function zoom(f, at) {
      var span = (view[1] - view[0]) * f, c = at === undefined ? (view[0] + view[1]) / 2 : at;
      span = Math.min(Math.max(span, 10), end || 1);
      var a = c - (c - view[0]) * span / (view[1] - view[0]);
      a = Math.min(Math.max(a, 0), (end || 1) - span);
      view = [a, a + span];
      render();
    }
    function at(ev) {
      var r = s.getBoundingClientRect(), x = (ev.clientX - r.left) * W / r.width;
      return view[0] + (x - L) / (W - L) * (view[1] - view[0]);
    }
    s.addEventListener('wheel', function (ev) { ev.preventDefault(); zoom(ev.deltaY < 0 ? 0.8 : 1.25, at(ev)); });
    var drag = null;
    s.addEventListener('mousedown', function (ev) { drag = [ev.clientX, view[0], view[1]]; });
    window.addEventListener('mouseup', function () { drag = null; });
    s.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      var r = s.getBoundingClientRect(), d = (ev.clientX - drag[0]) / r.width * W / (W - L) * (drag[2] - drag[1]);
      var a = Math.min(Math.max(drag[1] - d, 0), (end || 1) - (drag[2] - drag[1]));
      view = [a, a + drag[2] - drag[1]];
      render();
    });
    [['+', 'zoom in', function () { zoom(0.5); }], ['−', 'zoom out', function () { zoom(2); }],
      ['reset', 'show the whole execute', function () { view = [0, end || 1]; render(); }]].forEach(function (b) {
      var e = document.createElement('button');
      e.type = 'button';
      e.textContent = b[0];
      e.setAttribute('aria-label', b[1]);
      e.addEventListener('click', b[2]);
      tools.appendChild(e);
    });
    render();
  }

  /* --- wiring ---------------------------------------------------------------------------- */
  var drawn = 0;
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), makeSortable);
  Array.prototype.forEach.call(document.querySelectorAll('.chart'), function (div) {
    var rec = data.recs[+div.getAttribute('data-rec')], kind = div.getAttribute('data-chart');
    if (kind === 'hist' && rec.hist[+div.getAttribute('data-i')]) drawHist(div, rec.hist[+div.getAttribute('data-i')]);
    else if (kind === 'series' && rec.series[div.getAttribute('data-model')])
      drawSeries(div, rec.series[div.getAttribute('data-model')]);
    else if (kind === 'timeline' && rec.tl) {
      var r = div.getAttribute('data-rec');
      drawTimeline(div, document.querySelector('.tl-tools[data-rec="' + r + '"]'), rec.tl);
      tlTable(document.querySelector('.tl-table[data-rec="' + r + '"]'), rec.tl);
    } else return;
    drawn++;
  });
  document.documentElement.setAttribute('data-charts', String(drawn));
})();
