// A per-minute chart drawn by uPlot on a canvas, sized to its container, redrawn when the data changes
// and resized with the window. Each series has a fixed colour, the same in every chart and in the legend.
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../lib/html.js';

export const SERIES_COLOURS = {
  queued: '#1565c0', sent: '#2e7d32', failed: '#c62828', expired: '#8d6e63', suppressed: '#757575',
  sms: '#6a1b9a', email: '#ef6c00', push: '#00838f', inapp: '#ad1457', webhook: '#4e342e',
};

/** buckets: ISO minute starts; series: { name: number[] } of the same length. */
export function MinuteChart({ title, buckets, series, height = 220 }) {
  const box = useRef(null);
  const plot = useRef(null);
  const names = Object.keys(series);
  const data = [buckets.map((iso) => Date.parse(iso) / 1000), ...names.map((name) => series[name])];

  useEffect(() => {
    const element = box.current;
    const width = () => Math.max(280, element.clientWidth);
    plot.current = new uPlot({
      width: width(), height,
      scales: { x: { time: true } },
      axes: [{}, { label: 'per minute', size: 56 }],
      series: [{}, ...names.map((name) => ({ label: name, stroke: SERIES_COLOURS[name] || '#333', width: 2, points: { show: false } }))],
    }, data, element);
    const resize = new ResizeObserver(() => plot.current && plot.current.setSize({ width: width(), height }));
    resize.observe(element);
    return () => { resize.disconnect(); plot.current.destroy(); plot.current = null; };
  }, [names.join(',')]);

  useEffect(() => { if (plot.current) plot.current.setData(data); }, [JSON.stringify(data)]);

  const totals = names.map((name) => `${name} ${series[name].reduce((a, b) => a + b, 0)}`).join(', ');
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div ref=${box} class="chart-canvas" role="img" aria-label=${`${title}: ${totals}`}></div>
  </figure>`;
}
