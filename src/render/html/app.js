// procscope --html: draws the report from its JSON record (docs/json-schema.md).
(function () {
  'use strict';
  var R = JSON.parse(document.getElementById('report').textContent);
  var CLASSES = [
    ['oncpu', 'on a CPU', '#e4572e'], ['runq', 'waiting for a CPU', '#f3a712'],
    ['io', 'disk', '#4c6ef5'], ['net', 'network', '#17a2b8'], ['lock', 'lock', '#9c36b5'],
    ['sleep', 'sleep', '#adb5bd'], ['poll', 'poll', '#74c0fc'], ['child', 'child', '#8ce99a'],
    ['other', 'other', '#ced4da'], ['unknown', 'unknown', '#f1f3f5']];
  var COLOR = {};
  CLASSES.forEach(function (c) { COLOR[c[0]] = c[2]; });

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function dur(ns) {
    if (ns === null || ns === undefined) return '-';
    if (ns >= 1e9) return (ns / 1e9).toFixed(ns >= 1e10 ? 1 : 2) + ' s';
    if (ns >= 1e6) return (ns / 1e6).toFixed(ns >= 1e7 ? 0 : 1) + ' ms';
    if (ns >= 1e3) return (ns / 1e3).toFixed(0) + ' us';
    return ns + ' ns';
  }
  var tip = document.getElementById('tip');
  function showTip(ev, text) {
    tip.textContent = text;
    tip.style.display = 'block';
    tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - 540) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
  }
  function hideTip() { tip.style.display = 'none'; }

  // header
  var t = R.target || {};
  var wall = (t.breakdown && t.breakdown.wall_ns) || t.wall_ns || 0;
  document.getElementById('meta').textContent = [
    'wall ' + dur(wall), (t.process_count || 0) + ' processes',
    t.exit_code !== null && t.exit_code !== undefined ? 'exit code ' + t.exit_code : null,
    R.kernel ? 'kernel ' + R.kernel.release : null, 'procscope ' + R.procscope_version
  ].filter(Boolean).join(' \u00b7 ');

  // findings, best first
  var fd = document.getElementById('findings');
  (R.findings || []).forEach(function (f) {
    var d = el('div', {class: 'finding'});
    d.appendChild(el('div', {class: 'kind'}, f.kind + ' \u00b7 ' + Math.round(f.score * 100) + '%'));
    d.appendChild(el('div', {class: 'summary'}, f.summary));
    if (f.suggestion) d.appendChild(el('div', {class: 'sugg'}, f.suggestion));
    fd.appendChild(d);
  });
  if (!(R.findings || []).length) fd.appendChild(el('p', {class: 'none'}, 'No finding: nothing stood out.'));

  // the breakdown as a bar
  var bd = t.breakdown || {}, bar = document.getElementById('bar'), lg = document.getElementById('legend');
  var total = 0;
  CLASSES.forEach(function (c) { total += bd[c[0] + '_ns'] || 0; });
  CLASSES.forEach(function (c) {
    var v = bd[c[0] + '_ns'] || 0;
    if (!v || !total) return;
    var share = v / total, label = c[1] + ': ' + dur(v) + ' (' + (share * 100).toFixed(1) + '%)';
    var seg = el('div', {title: label});
    seg.style.width = (share * 100) + '%';
    seg.style.background = c[2];
    bar.appendChild(seg);
    var item = el('span');
    var sw = el('i');
    sw.style.background = c[2];
    item.appendChild(sw);
    item.appendChild(document.createTextNode(label));
    lg.appendChild(item);
  });
  var inPeers = 0;
  if (R.path && R.path.in_peers)
    CLASSES.forEach(function (c) { inPeers += R.path.in_peers[c[0] + '_ns'] || 0; });
  document.getElementById('bdmethod').textContent = bd.method !== 'critical_path'
    ? 'summed over the processes (process time)'
    : (R.path && R.path.by === 'wakeups'
      ? 'along the critical path, through who ended each wait' +
        (inPeers ? ' (' + dur(inPeers) + ' of it in peers: processes outside the target)' : '')
      : 'along the critical path: the steps the total duration depended on');

  // the timeline: processes in tree order, the critical path highlighted
  var procs = (R.processes || []).filter(function (p) { return !p.folded && !p.overflow; });
  // peers (processes outside the target that it waited on), after the tree
  var peers = (R.peers || []).filter(function (p) { return p.on_path_ns > 0; });
  var onPath = {};
  (R.critical_path || []).forEach(function (s) { onPath[s.pid] = true; });
  var byPid = {}, kids = {};
  procs.forEach(function (p) { byPid[p.pid] = p; });
  var roots = [];
  procs.forEach(function (p) {
    if (byPid[p.ppid] && p.ppid !== p.pid) (kids[p.ppid] = kids[p.ppid] || []).push(p);
    else roots.push(p);
  });
  var rows = [];
  function walk(p, depth) {
    if (rows.length >= 2000) return;
    rows.push({p: p, depth: depth});
    (kids[p.pid] || []).sort(function (a, b) { return a.start_offset_ns - b.start_offset_ns; })
      .forEach(function (c) { walk(c, depth + 1); });
  }
  roots.sort(function (a, b) { return a.start_offset_ns - b.start_offset_ns; })
    .forEach(function (r) { walk(r, 0); });
  peers.forEach(function (p) { if (rows.length < 2000) rows.push({p: p, depth: 0, peer: true}); });
  var span = R.end_offset_ns - R.start_offset_ns || wall || 1;
  var view = [0, span];
  var tl = document.getElementById('tl');
  var W = 1200, LABEL = 260, ROW = 16, AXIS = 22;
  var H = AXIS + rows.length * ROW + 4;
  tl.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  tl.setAttribute('width', W);
  tl.setAttribute('height', H);
  if (rows.length >= 2000) document.getElementById('tlnote').textContent = 'The first 2000 processes.';

  function x(ns) { return LABEL + (ns - view[0]) / (view[1] - view[0]) * (W - LABEL - 8); }
  function draw() {
    while (tl.firstChild) tl.removeChild(tl.firstChild);
    tl.setAttribute('data-view', Math.round(view[0]) + ',' + Math.round(view[1]));
    for (var i = 0; i <= 8; i++) {
      var ns = view[0] + (view[1] - view[0]) * i / 8, xx = x(ns);
      tl.appendChild(svg('line', {x1: xx, x2: xx, y1: AXIS - 4, y2: H, stroke: '#eee'}));
      tl.appendChild(svg('text', {x: xx + 2, y: 12}, dur(Math.round(ns))));
    }
    rows.forEach(function (row, i) {
      var p = row.p, y = AXIS + i * ROW;
      var s0 = p.start_offset_ns, s1 = p.end_offset_ns === null ? span : p.end_offset_ns;
      var g = svg('g', {class: 'row' + (onPath[p.pid] ? ' path' : '')});
      var name = p.comm + ' ' + p.pid + (row.peer ? ' (peer)' : '');
      g.appendChild(svg('text', {x: 4 + row.depth * 8, y: y + 12}, name.length > 34 ? name.slice(0, 34) : name));
      if (s1 >= view[0] && s0 <= view[1]) {
        var a = Math.max(x(s0), LABEL), b = Math.min(x(s1), W - 8);
        var dom = p.breakdown && p.breakdown.dominant;
        var r = svg('rect', {x: a, y: y + 2, width: Math.max(b - a, 1), height: ROW - 4,
          fill: COLOR[dom] || '#999', stroke: onPath[p.pid] ? '#c00' : 'none',
          'stroke-width': onPath[p.pid] ? 2 : 0});
        g.appendChild(r);
      }
      g.addEventListener('mousemove', function (ev) {
        var code = p.exit_signal ? 'signal ' + p.exit_signal : p.exit_code === null ? 'running' : p.exit_code;
        showTip(ev, p.cmdline + '\npid ' + p.pid + ', parent ' + p.ppid + '\nstart +' + dur(s0) +
          ', lasted ' + dur(s1 - s0) + ', exit ' + code + '\non a CPU ' + dur(p.sched ? p.sched.oncpu_ns : null) +
          ', mostly ' + ((p.breakdown && p.breakdown.dominant) || '-') +
          (onPath[p.pid] ? '\non the critical path' : '') +
          (row.peer ? '\na peer, ' + p.hops + ' wake-up(s) from the target: ' + dur(p.on_path_ns) +
            ' of its path' : ''));
      });
      g.addEventListener('mouseleave', hideTip);
      tl.appendChild(g);
    });
  }
  function zoomAt(ns, factor) {
    var w = (view[1] - view[0]) * factor;
    if (w < 1000) w = 1000;
    if (w > span) w = span;
    var a = ns - w / 2;
    if (a < 0) a = 0;
    if (a + w > span) a = span - w;
    view = [a, a + w];
    draw();
  }
  function nsAt(ev) {
    var box = tl.getBoundingClientRect();
    var px = (ev.clientX - box.left) * W / box.width;
    if (px < LABEL) px = LABEL;
    return view[0] + (px - LABEL) / (W - LABEL - 8) * (view[1] - view[0]);
  }
  tl.addEventListener('click', function (ev) { zoomAt(nsAt(ev), ev.shiftKey ? 2 : 0.5); });
  tl.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    zoomAt(nsAt(ev), ev.deltaY > 0 ? 1.25 : 0.8);
  }, {passive: false});
  document.getElementById('reset').addEventListener('click', function () { view = [0, span]; draw(); });
  draw();
})();
