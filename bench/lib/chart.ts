// The PNG of `npm run bench`: hotkv/redis throughput ratio per test (pipelining off and on) and bytes
// per key for each memory data set. Drawn as SVG, rendered by bench/upgrade.ts's renderPng (resvg).
import type { BenchReport } from './report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function benchSvg(r: BenchReport): string {
  const W = 1200;
  const L = 150;
  const R = 60;
  const plotW = W - L - R;
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, extra = '', size = 13, fill = '#222') =>
    parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="Roboto Mono" font-size="${size}" fill="${fill}" ${extra}>${esc(s)}</text>`);
  const rect = (x: number, y: number, w: number, h: number, fill: string) =>
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"/>`);

  const pipelines = [...new Set(r.throughput.map((t) => t.pipeline))].sort((a, b) => a - b);
  const tests = [...new Set(r.throughput.map((t) => t.test))];
  const colors = ['#2471a3', '#e67e22', '#27ae60', '#8e44ad'];
  const barH = 13;
  const rowH = pipelines.length * barH + 10;

  // ---- panel 1: throughput ratio
  let y = 90;
  text(L, 28, 'hotkv vs redis-server 7.0: throughput (median hotkv/redis ratio, 1.0 = as fast as Redis)', '', 16);
  text(L, 48, `redis-benchmark, ${r.meta.clients} clients, ${r.meta.repeats} alternating repeat(s); ${r.meta.host}`, '', 12);
  const maxRatio = Math.max(1.2, ...r.throughput.map((t) => t.ratio));
  const xMax = Math.ceil(maxRatio * 5) / 5;
  const xr = (v: number) => L + (plotW * v) / xMax;
  const top = y;
  const panelH = tests.length * rowH;
  for (let v = 0; v <= xMax + 1e-9; v += xMax > 2 ? 0.5 : 0.2) {
    parts.push(`<line x1="${xr(v).toFixed(1)}" x2="${xr(v).toFixed(1)}" y1="${top}" y2="${top + panelH}" stroke="#e4e4e4"/>`);
    text(xr(v), top + panelH + 16, v.toFixed(1), 'text-anchor="middle"', 11);
  }
  tests.forEach((test, i) => {
    const ry = top + i * rowH;
    text(L - 8, ry + rowH / 2 + 4, test, 'text-anchor="end"');
    pipelines.forEach((p, k) => {
      const t = r.throughput.find((x) => x.test === test && x.pipeline === p);
      if (!t) return;
      const by = ry + 5 + k * barH;
      rect(L, by, xr(t.ratio) - L, barH - 2, colors[k % colors.length]);
      text(xr(t.ratio) + 4, by + barH - 3, `${t.ratio.toFixed(2)}`, '', 10);
    });
  });
  parts.push(`<line x1="${xr(1).toFixed(1)}" x2="${xr(1).toFixed(1)}" y1="${top - 6}" y2="${top + panelH}" stroke="#c0392b" stroke-dasharray="5,4" stroke-width="1.5"/>`);
  text(xr(1), top + panelH + 30, '= redis', 'text-anchor="middle"', 11, '#c0392b');
  pipelines.forEach((p, k) => {
    const lx = L + k * 160;
    rect(lx, 62, 18, 10, colors[k % colors.length]);
    text(lx + 24, 71, p === 1 ? 'no pipelining' : `-P ${p}`, '', 12);
  });
  y = top + panelH + 70;

  // ---- panel 2: memory
  if (r.memory.length > 0) {
    text(L, y, 'memory: RSS growth per key after loading (MEMORY PURGE, settled); lower is better', '', 16);
    y += 20;
    const maxB = Math.max(...r.memory.flatMap((m) => [m.hotkv.bytesPerKey, m.redis.bytesPerKey]));
    const xb = (v: number) => L + (plotW * 0.7 * v) / maxB; // room for the label
    const servers: ['hotkv' | 'redis', string][] = [['hotkv', '#2471a3'], ['redis', '#c0392b']];
    for (const m of r.memory) {
      text(L - 8, y + 20, m.dataset, 'text-anchor="end"');
      servers.forEach(([s, color], k) => {
        const by = y + 4 + k * 18;
        const v = m[s].bytesPerKey;
        rect(L, by, xb(v) - L, 15, color);
        text(xb(v) + 4, by + 12, `${s} ${v.toFixed(0)} B/key (RSS ${(m[s].rssLoaded / 1048576).toFixed(0)} MiB)`, '', 11);
      });
      text(L, y + 54, m.description, '', 11);
      y += 70;
    }
  }
  const H = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `<rect width="${W}" height="${H}" fill="#ffffff"/>${parts.join('')}</svg>`;
}
