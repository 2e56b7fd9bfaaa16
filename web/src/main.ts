/** The dashboard shell: navigation and a hash router; each page is a module of its own. */
import './style.css';
import { api, type ApiResponse } from './api.js';
import { disposeCharts } from './chart.js';
import { errorState, h, html } from './dom.js';
import { overview } from './pages/overview.js';
import { upload } from './pages/upload.js';
import { forecasts } from './pages/forecasts.js';
import { plans } from './pages/plans.js';
import { costs } from './pages/costs.js';
import { gpus } from './pages/gpus.js';
import { simulations } from './pages/simulations.js';
import { storage } from './pages/storage.js';
import { serving } from './pages/serving.js';

type Page = (root: HTMLElement) => Promise<void>;

const pages: { path: string; label: string; render: Page }[] = [
  { path: 'overview', label: 'Overview', render: overview },
  { path: 'costs', label: 'Cost explorer', render: costs },
  { path: 'gpus', label: 'GPU fleet', render: gpus },
  { path: 'forecasts', label: 'Forecasts', render: forecasts },
  { path: 'plans', label: 'Plans', render: plans },
  { path: 'simulations', label: 'Simulations', render: simulations },
  { path: 'storage', label: 'Storage', render: storage },
  { path: 'serving', label: 'Serving', render: serving },
  { path: 'upload', label: 'Upload', render: upload },
];

const nav = document.getElementById('nav')!;
const main = document.getElementById('page')!;
nav.replaceChildren(...pages.map((p) => h(html`<a href="#/${p.path}" data-page="${p.path}">${p.label}</a>`)));

async function route(): Promise<void> {
  const path = location.hash.replace(/^#\/?/, '') || 'overview';
  const page = pages.find((p) => p.path === path) ?? pages[0]!;
  nav.querySelectorAll('a').forEach((a) => {
    const current = a.dataset.page === page.path;
    a.classList.toggle('active', current);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  document.title = `${page.label} · Penny`;
  disposeCharts();
  main.replaceChildren();
  main.dataset.page = page.path;
  main.dataset.ready = 'false';
  try {
    await page.render(main);
  } catch (e) {
    main.append(errorState(e));
  } finally {
    main.dataset.ready = 'true';
  }
}

window.addEventListener('hashchange', () => void route());
void route();
api<ApiResponse<'/api/health'>>('/api/health')
  .then((hs) => {
    document.getElementById('status')!.textContent = `v${hs.version} · ${hs.store}${hs.readOnly ? ' · read-only' : ''}`;
  })
  .catch(() => undefined);
