// The knowledge graph drawn as SVG with a small force layout (no library): nodes are memories,
// edges their relations. Used by the dashboard and by the self-contained export
// (GET /api/v1/graph?format=html), so both draw the same picture.
(function (global) {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#8cd17d'];

  function colourOf(type, types) {
    let i = types.indexOf(type);
    if (i < 0) { types.push(type); i = types.length - 1; }
    return COLOURS[i % COLOURS.length];
  }

  // Positions after a fixed number of steps: repulsion between near pairs, springs along edges,
  // a pull to the centre. Deterministic (seeded by index), so the same graph lays out the same way.
  function layout(nodes, edges, width, height, steps) {
    const n = nodes.length;
    const pos = nodes.map((_, i) => ({ x: width / 2 + Math.cos(i * 2.399) * (10 + 6 * Math.sqrt(i)), y: height / 2 + Math.sin(i * 2.399) * (10 + 6 * Math.sqrt(i)) }));
    const index = new Map(nodes.map((d, i) => [d.id, i]));
    const links = edges.map(e => [index.get(e.source), index.get(e.target)]).filter(l => l[0] !== undefined && l[1] !== undefined);
    // the ideal edge length: room per node, but never so long that a small graph flies to the corners
    const k = Math.min(140, Math.sqrt((width * height) / Math.max(1, n)) * 0.5);
    for (let s = 0; s < steps; s++) {
      const t = 0.1 * (1 - s / steps) + 0.01;
      const force = pos.map(() => ({ x: 0, y: 0 }));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
          const d2 = Math.max(dx * dx + dy * dy, 1);
          if (d2 > 16 * k * k) continue; // only neighbours push: far-field pressure would pile nodes at the walls
          const f = (k * k) / d2; // (dx / d) * k² / d: Fruchterman-Reingold repulsion
          force[i].x += dx * f; force[i].y += dy * f;
          force[j].x -= dx * f; force[j].y -= dy * f;
        }
      }
      for (const [a, b] of links) {
        const dx = pos[a].x - pos[b].x, dy = pos[a].y - pos[b].y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 1);
        const f = (d * d) / k / d;
        force[a].x -= dx * f; force[a].y -= dy * f;
        force[b].x += dx * f; force[b].y += dy * f;
      }
      for (let i = 0; i < n; i++) {
        // a steady pull to the centre keeps unconnected memories from drifting off
        const ox = width / 2 - pos[i].x, oy = height / 2 - pos[i].y, od = Math.max(Math.sqrt(ox * ox + oy * oy), 1);
        force[i].x += ox / od * 2 * k; force[i].y += oy / od * 2 * k;
        const len = Math.max(Math.sqrt(force[i].x ** 2 + force[i].y ** 2), 1e-9);
        const step = Math.min(len, k * t * 10);
        pos[i].x = Math.min(width - 40, Math.max(40, pos[i].x + force[i].x / len * step));
        pos[i].y = Math.min(height - 30, Math.max(30, pos[i].y + force[i].y / len * step));
      }
    }
    return pos;
  }

  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  // Draws data {nodes, edges} into the svg; onSelect(node) runs when a node is clicked.
  function drawGraph(svg, data, onSelect) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const width = svg.clientWidth || 900, height = svg.clientHeight || 600;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const steps = data.nodes.length > 800 ? 60 : data.nodes.length > 300 ? 120 : 250;
    const pos = layout(data.nodes, data.edges, width, height, steps);
    const index = new Map(data.nodes.map((d, i) => [d.id, i]));
    const types = [];
    const edgeLayer = el('g', { class: 'edges' }, svg);
    const nodeLayer = el('g', { class: 'nodes' }, svg);
    for (const e of data.edges) {
      const a = pos[index.get(e.source)], b = pos[index.get(e.target)];
      if (!a || !b) continue;
      const line = el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: '#999', 'stroke-width': 1.2, 'data-type': e.type }, edgeLayer);
      el('title', {}, line).textContent = e.type;
    }
    data.nodes.forEach((d, i) => {
      const g = el('g', { class: 'node', transform: `translate(${pos[i].x},${pos[i].y})`, 'data-id': d.id, tabindex: 0 }, nodeLayer);
      el('circle', { r: 7, fill: colourOf(d.type, types), stroke: '#fff', 'stroke-width': 1.5 }, g);
      el('title', {}, g).textContent = `${d.type}${d.category ? ' · ' + d.category : ''}: ${d.content || d.label}`;
      if (data.nodes.length <= 150) {
        const t = el('text', { x: 10, y: 4, 'font-size': 11, fill: '#333' }, g);
        t.textContent = d.label;
      }
      g.addEventListener('click', () => onSelect && onSelect(d));
      g.addEventListener('keydown', ev => { if (ev.key === 'Enter') onSelect && onSelect(d); });
    });
    const legend = el('g', { class: 'legend', transform: 'translate(10,16)' }, svg);
    types.forEach((t, i) => {
      el('circle', { cx: 0, cy: i * 16, r: 5, fill: COLOURS[i % COLOURS.length] }, legend);
      el('text', { x: 10, y: i * 16 + 4, 'font-size': 11, fill: '#333' }, legend).textContent = t;
    });
    return { nodes: data.nodes.length, edges: data.edges.length };
  }

  global.MemoryGraph = { drawGraph, layout };
})(typeof window !== 'undefined' ? window : globalThis);
