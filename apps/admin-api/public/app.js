// xero-sync ops dashboard: Alpine.js state + AG Grid lists + Chart.js, talking to admin-api with the API key
// kept in sessionStorage. No build step: the libraries are served by admin-api from node_modules.
/* global Alpine, agGrid, Chart */
'use strict';

const KEY_STORAGE = 'xero-sync.apiKey';
const STORE_STORAGE = 'xero-sync.storeId';
const POLL_MS = 2000;
// A metrics key (Prometheus scrapes) ranks below viewer: it may open no page.
const ROLE_RANK = { metrics: -1, viewer: 0, operator: 1, admin: 2 };
const ENTITIES = ['customer', 'product', 'order', 'invoice', 'creditmemo'];
// The sync log's statuses and modes (libs/persistence SYNC_LOG_STATUSES, SYNC_LOG_MODES).
const LOG_STATUSES = ['success', 'error', 'waiting'];
const LOG_MODES = ['immediate', 'cron', 'manual', 'intake', 'replay'];

if (agGrid.ModuleRegistry && agGrid.AllCommunityModule) {
  agGrid.ModuleRegistry.registerModules([agGrid.AllCommunityModule]);
}
const GRID_THEME = agGrid.themeQuartz
  ? agGrid.themeQuartz.withParams({ fontFamily: 'inherit', fontSize: 13, rowHeight: 36 })
  : undefined;

function statusCell(params) {
  const span = document.createElement('span');
  span.className = `badge status-${params.value}`;
  span.textContent = params.value ?? '';
  return span;
}

function fmtDate(value) {
  return value ? new Date(value).toLocaleString() : '';
}

/**
 * When a queue item is tried next: only pending and waiting items are tried on a schedule, and the queue's
 * Date(0) means due now, not a time to show.
 */
function fmtNextAttempt(item) {
  if (!item?.nextAttemptAt || !['pending', 'waiting'].includes(item.status)) return '';
  return Date.parse(item.nextAttemptAt) > 0 ? fmtDate(item.nextAttemptAt) : 'due now';
}

document.addEventListener('alpine:init', () => {
  Alpine.data('dashboard', () => ({
    pages: [
      { id: 'log', label: 'Log' },
      { id: 'queue', label: 'Queue' },
      { id: 'record', label: 'Record' },
      { id: 'daily', label: 'Daily Requests' },
      { id: 'settings', label: 'Settings' },
      { id: 'connections', label: 'Connections' },
      { id: 'backfill', label: 'Backfill' },
      { id: 'reconciliation', label: 'Reconciliation' },
      { id: 'stores', label: 'Stores' },
      { id: 'dlq', label: 'DLQ' },
    ],
    entities: ENTITIES,
    logStatuses: LOG_STATUSES,
    logModes: LOG_MODES,
    page: 'log',
    key: null,
    keyInput: '',
    principal: null,
    signInError: '',
    flash: '',
    flashKind: 'info',
    stores: [],
    storeId: '',
    logFilter: { status: '', mode: '', entity: '', q: '' },
    logTotal: 0,
    queueCounts: {},
    daily: [],
    settings: null,
    settingsErrors: [],
    chart: null,
    audit: [],
    connections: [],
    backfills: [],
    backfillEntities: [...ENTITIES],
    replays: [],
    replayEntities: [...ENTITIES],
    replayFrom: '',
    newStore: { storeId: '', name: '', magentoBaseUrl: '', magentoToken: '' },
    shownSecret: '',
    recon: { from: '', to: '', running: false, report: null, error: '' },
    record: { entity: 'order', entityId: '', loaded: false, queue: null, history: [] },
    custom: { clientId: '', clientSecret: '', bind: true },
    grids: {},
    dailyChart: null,
    timer: null,

    async start() {
      window.addEventListener('hashchange', () => this.route());
      this.key = sessionStorage.getItem(KEY_STORAGE);
      if (this.key) await this.loadPrincipal();
      if (this.principal) await this.afterSignIn();
      const params = new URLSearchParams(location.search);
      if (params.get('connected')) this.say(`Connected to Xero: ${params.get('connected')}`);
      if (params.get('connectError')) this.say(`Xero connection failed: ${params.get('connectError')}`, 'error');
    },

    // ---- auth ----
    async signIn() {
      this.key = this.keyInput.trim();
      this.keyInput = '';
      await this.loadPrincipal();
      if (this.principal) {
        sessionStorage.setItem(KEY_STORAGE, this.key);
        await this.afterSignIn();
      }
    },
    async loadPrincipal() {
      const res = await fetch('/api-keys/me', { headers: this.headers() });
      if (res.ok) {
        this.principal = await res.json();
        this.signInError = '';
      } else {
        this.principal = null;
        this.key = null;
        sessionStorage.removeItem(KEY_STORAGE);
        this.signInError = res.status === 429 ? 'Too many failed attempts; wait a minute.' : 'That key is not valid.';
      }
    },
    signOut() {
      sessionStorage.removeItem(KEY_STORAGE);
      clearInterval(this.timer);
      this.key = null;
      this.principal = null;
    },
    can(role) {
      return this.principal && ROLE_RANK[this.principal.role] >= ROLE_RANK[role];
    },
    headers(json) {
      const h = { Authorization: `Bearer ${this.key}` };
      if (json) h['Content-Type'] = 'application/json';
      return h;
    },
    async api(path, options = {}) {
      const res = await fetch(path, {
        method: options.method ?? 'GET',
        headers: this.headers(options.body !== undefined),
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
      if (res.status === 401) {
        this.signOut();
        throw new Error('signed out');
      }
      const text = await res.text();
      const body = text ? JSON.parse(text) : undefined;
      if (!res.ok) {
        const err = new Error(body?.message ?? `HTTP ${res.status}`);
        err.status = res.status;
        err.fields = body?.fields ?? [];
        throw err;
      }
      return body;
    },
    say(text, kind = 'info') {
      this.flash = text;
      this.flashKind = kind;
    },

    async afterSignIn() {
      await this.loadStores();
      this.storeId = sessionStorage.getItem(STORE_STORAGE) || this.stores[0]?.storeId || '';
      this.$nextTick(() => {
        this.makeGrids();
        this.route();
      });
      clearInterval(this.timer);
      // Polling keeps progress (queue, log, backfill bars) current without reloading the page.
      this.timer = setInterval(() => this.refresh().catch(() => undefined), POLL_MS);
    },
    route() {
      const id = (location.hash.replace(/^#\/?/, '') || 'log').split('?')[0];
      this.page = this.pages.some((p) => p.id === id) ? id : 'log';
      this.refresh(true).catch((e) => this.say(e.message, 'error'));
    },
    storeChanged() {
      sessionStorage.setItem(STORE_STORAGE, this.storeId);
      this.settings = null;
      this.recon.report = null;
      this.recon.error = '';
      this.refresh(true).catch((e) => this.say(e.message, 'error'));
    },
    async refresh(full) {
      if (!this.principal) return;
      switch (this.page) {
        case 'log':
          return this.loadLog();
        case 'queue':
          return this.loadQueue();
        case 'record':
          return this.record.loaded ? this.loadRecord() : undefined;
        case 'daily':
          return this.loadDaily();
        case 'settings':
          return full ? this.loadSettings() : undefined;
        case 'connections':
          return this.loadConnections();
        case 'backfill':
          return Promise.all([this.loadBackfills(), this.loadReplays()]);
        case 'stores':
          return this.loadStores();
        case 'dlq':
          return this.loadDlq();
      }
    },

    // ---- grids ----
    makeGrids() {
      if (this.grids.log) return;
      const self = this;
      const syncNowCell = (params) => {
        const btn = document.createElement('button');
        btn.textContent = 'Sync Now';
        btn.className = 'small';
        btn.disabled = !self.can('operator');
        btn.addEventListener('click', () => self.syncRecord(params.data));
        return btn;
      };
      const linkCell = (params) => {
        if (!params.value) return '';
        const a = document.createElement('a');
        a.href = params.value;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = 'View On Xero';
        a.className = 'view-on-xero';
        return a;
      };
      // A click on a record's id opens its page (queue state, whole history, View On Xero, Sync Now). The cell
      // keeps its plain text, so the id is what selectors and copy-paste see.
      const recordColumn = {
        field: 'entityId',
        headerName: 'Id',
        width: 110,
        cellClass: 'record-link',
        onCellClicked: (p) => p.data && self.openRecord(p.data),
      };
      this.grids.log = agGrid.createGrid(document.getElementById('log-grid'), {
        theme: GRID_THEME,
        columnDefs: [
          { field: 'createdAt', headerName: 'When', valueFormatter: (p) => fmtDate(p.value), width: 170 },
          { field: 'storeId', headerName: 'Store', width: 110 },
          { field: 'entity', width: 100 },
          recordColumn,
          { field: 'action', width: 90 },
          { field: 'status', cellRenderer: statusCell, width: 115 },
          { field: 'mode', width: 95 },
          { field: 'message', flex: 1, tooltipField: 'message', minWidth: 260 },
          {
            field: 'nextAttemptAt',
            headerName: 'Next attempt',
            valueFormatter: (p) => (p.data?.status === 'waiting' ? fmtDate(p.value) : ''),
            width: 160,
          },
          { field: 'xeroUrl', headerName: 'Xero', cellRenderer: linkCell, width: 120 },
          { headerName: '', cellRenderer: syncNowCell, width: 110, sortable: false },
        ],
        rowData: [],
        getRowId: (p) => p.data.id,
        rowClassRules: {
          'row-error': (p) => p.data?.status === 'error',
          'row-waiting': (p) => p.data?.status === 'waiting',
        },
      });
      this.grids.queue = agGrid.createGrid(document.getElementById('queue-grid'), {
        theme: GRID_THEME,
        columnDefs: [
          { field: 'entity', width: 100 },
          { ...recordColumn },
          { field: 'status', cellRenderer: statusCell, width: 110 },
          { field: 'attempts', width: 90 },
          { field: 'reason', flex: 1, tooltipField: 'reason', minWidth: 240 },
          {
            field: 'nextAttemptAt',
            headerName: 'Next attempt',
            valueFormatter: (p) => fmtNextAttempt(p.data),
            width: 170,
          },
          { field: 'occurredAt', headerName: 'Changed', valueFormatter: (p) => fmtDate(p.value), width: 170 },
          { field: 'xeroUrl', headerName: 'Xero', cellRenderer: linkCell, width: 120 },
          { headerName: '', cellRenderer: syncNowCell, width: 110, sortable: false },
        ],
        rowData: [],
        getRowId: (p) => p.data.id,
      });
      this.grids.dlq = agGrid.createGrid(document.getElementById('dlq-grid'), {
        theme: GRID_THEME,
        columnDefs: [
          { field: 'createdAt', headerName: 'When', valueFormatter: (p) => fmtDate(p.value), width: 170 },
          { field: 'storeId', headerName: 'Store', width: 110 },
          { field: 'sourceTopic', headerName: 'Topic', width: 200 },
          { field: 'status', cellRenderer: statusCell, width: 115 },
          { field: 'reason', flex: 1, minWidth: 220 },
          { field: 'preview', flex: 1, minWidth: 220 },
        ],
        rowSelection: { mode: 'multiRow' },
        rowData: [],
        getRowId: (p) => p.data.id,
      });
    },

    // ---- pages ----
    async loadStores() {
      const res = await this.api('/stores?pageSize=200');
      this.stores = res.items;
    },
    logQuery(extra) {
      const q = new URLSearchParams({ pageSize: '200', ...extra });
      if (this.storeId) q.set('storeId', this.storeId);
      for (const [k, v] of Object.entries(this.logFilter)) if (v) q.set(k, v);
      return q.toString();
    },
    async loadLog() {
      const res = await this.api(`/sync-logs?${this.logQuery()}`);
      this.logTotal = res.total;
      this.grids.log?.setGridOption('rowData', res.items);
    },
    async exportCsv() {
      const res = await fetch(`/sync-logs/export.csv?${this.logQuery({})}`.replace(/pageSize=200&?/, ''), {
        headers: this.headers(),
      });
      const blob = await res.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'sync-log.csv';
      a.click();
    },
    async syncRecord(row) {
      try {
        const storeId = row.storeId ?? this.storeId;
        const res = await this.api(
          `/stores/${encodeURIComponent(storeId)}/records/${row.entity}/${encodeURIComponent(row.entityId)}/sync-now`,
          { method: 'POST' },
        );
        this.say(res.message ?? `Sync Now sent for ${row.entity} ${row.entityId}`);
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    openRecord(row) {
      if (row.storeId && row.storeId !== this.storeId) {
        this.storeId = row.storeId;
        sessionStorage.setItem(STORE_STORAGE, this.storeId);
      }
      this.record = { entity: row.entity, entityId: row.entityId, loaded: false, queue: null, history: [] };
      location.hash = '#/record';
      this.loadRecord(true).catch((e) => this.say(e.message, 'error'));
    },
    async loadRecord(lookUp) {
      const { entity, entityId } = this.record;
      if (!this.storeId || !entityId) return;
      // Cleared when the look-up starts, not when it answers: a Sync Now pressed meanwhile keeps its message.
      if (lookUp) this.flash = '';
      const res = await this.api(
        `/stores/${encodeURIComponent(this.storeId)}/records/${entity}/${encodeURIComponent(entityId)}`,
      );
      // A poll answering for a record the page no longer shows is dropped.
      if (this.record.entity !== entity || this.record.entityId !== entityId) return;
      this.record.queue = res.queue;
      this.record.history = res.history;
      this.record.loaded = true;
    },
    async loadQueue() {
      if (!this.storeId) return;
      const s = encodeURIComponent(this.storeId);
      const [list, counts] = await Promise.all([
        this.api(`/queue?storeId=${s}&pageSize=200`),
        this.api(`/queue/summary?storeId=${s}`),
      ]);
      this.queueCounts = counts;
      this.grids.queue?.setGridOption(
        'rowData',
        list.items.filter((i) => i.status !== 'synced'),
      );
    },
    async queueSyncNow() {
      try {
        await this.api(`/queue/${encodeURIComponent(this.storeId)}/sync-now`, { method: 'POST' });
        this.say('Sync Now sent for the whole queue');
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async queueRetryFailed() {
      try {
        await this.api(`/queue/${encodeURIComponent(this.storeId)}/retry-failed`, { method: 'POST' });
        this.say('Retry of failed items sent');
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async loadDaily() {
      const res = await this.api('/daily-reports?pageSize=200');
      this.daily = res.items;
      this.drawDaily();
    },
    forecastText(r) {
      if (!r.forecast) return '';
      const f = r.forecast;
      return f.lastsTheDay
        ? `lasts the day (${f.callsPerHour}/h)`
        : `runs out ${new Date(f.exhaustsAt).toLocaleTimeString()} (${f.callsPerHour}/h)`;
    },
    drawDaily() {
      const days = [...new Set(this.daily.map((r) => r.day))].sort();
      const endpoints = [...new Set(this.daily.flatMap((r) => Object.keys(r.byEndpoint || {})))].sort();
      const palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#475569'];
      const datasets = endpoints.map((ep, i) => ({
        label: ep,
        backgroundColor: palette[i % palette.length],
        data: days.map((d) => this.daily.filter((r) => r.day === d).reduce((n, r) => n + (r.byEndpoint[ep] || 0), 0)),
        stack: 'calls',
        maxBarThickness: 80,
      }));
      datasets.push({
        label: '429s',
        type: 'line',
        borderColor: '#dc2626',
        backgroundColor: '#dc2626',
        data: days.map((d) => this.daily.filter((r) => r.day === d).reduce((n, r) => n + r.http429, 0)),
      });
      const data = { labels: days, datasets };
      if (this.dailyChart) {
        this.dailyChart.data = data;
        this.dailyChart.update('none');
      } else {
        this.dailyChart = new Chart(document.getElementById('daily-chart'), {
          type: 'bar',
          data,
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
          },
        });
      }
    },
    async loadSettings() {
      if (!this.storeId) return;
      const s = encodeURIComponent(this.storeId);
      // The form waits for the fresh copy: shown with the last visit's copy, it took edits that the fresh copy then
      // replaced, so Save sent the old values ("Settings saved", nothing changed).
      this.settings = null;
      this.settings = await this.api(`/stores/${s}/settings`);
      this.settingsErrors = [];
      this.audit = (await this.api(`/stores/${s}/settings/audit?pageSize=20`)).items;
      this.chart = this.settings.xeroTenantId
        ? await this.api(`/stores/${s}/settings/options`).catch(() => null)
        : null;
    },
    async refreshOptions() {
      const s = encodeURIComponent(this.storeId);
      this.chart = await this.api(`/stores/${s}/settings/options/refresh`, { method: 'POST' }).catch((e) => {
        this.say(e.message ?? 'could not read the org from Xero', 'error');
        return this.chart;
      });
    },
    fieldError(field) {
      const e = this.settingsErrors.find((x) => x.field === field);
      return e ? e.reason : '';
    },
    async saveSettings() {
      const { mode, cronIntervalMinutes, waitHorizonMinutes, entitiesEnabled, mapping } = this.settings;
      try {
        this.settings = await this.api(`/stores/${encodeURIComponent(this.storeId)}/settings`, {
          method: 'PUT',
          body: { mode, cronIntervalMinutes, waitHorizonMinutes, entitiesEnabled, mapping },
        });
        this.settingsErrors = [];
        this.say('Settings saved');
        this.audit = (await this.api(`/stores/${encodeURIComponent(this.storeId)}/settings/audit?pageSize=20`)).items;
      } catch (e) {
        this.settingsErrors = e.fields || [];
        this.say(e.message, 'error');
      }
    },
    async loadConnections() {
      this.connections = (await this.api('/connections')).items;
    },
    async connectXero() {
      try {
        const res = await this.api('/connections/start', {
          method: 'POST',
          body: { storeId: this.storeId || undefined },
        });
        location.href = res.authorizeUrl;
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async connectCustom() {
      try {
        const body = { clientId: this.custom.clientId, clientSecret: this.custom.clientSecret };
        if (this.custom.bind && this.storeId) body.storeId = this.storeId;
        const view = await this.api('/connections/custom', { method: 'POST', body });
        const names = view.tenants.map((t) => t.tenantName || t.tenantId).join(', ');
        this.say(`Connected to Xero: ${names}${body.storeId ? ` (store ${body.storeId} syncs to it)` : ''}`);
        this.custom = { clientId: '', clientSecret: '', bind: true };
        await Promise.all([this.loadConnections(), this.loadStores()]);
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async bindStore(tenantId) {
      try {
        await this.api(`/stores/${encodeURIComponent(this.storeId)}/xero-tenant`, {
          method: 'PUT',
          body: { tenantId },
        });
        this.say(`Store ${this.storeId} now syncs to ${tenantId}`);
        await Promise.all([this.loadConnections(), this.loadStores()]);
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async disconnect(tenantId) {
      if (!confirm('Disconnect this Xero organisation? Syncing to it stops until it is connected again.')) return;
      try {
        await this.api(`/connections/${encodeURIComponent(tenantId)}`, { method: 'DELETE' });
        await this.loadConnections();
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async loadBackfills() {
      if (!this.storeId) return;
      this.backfills = (await this.api(`/backfills?storeId=${encodeURIComponent(this.storeId)}&pageSize=20`)).items;
    },
    async startBackfill() {
      try {
        await this.api('/backfills', {
          method: 'POST',
          body: { storeId: this.storeId, entities: this.backfillEntities },
        });
        this.say('Backfill started');
        await this.loadBackfills();
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    async cancelBackfill(jobId) {
      await this.api(`/backfills/${jobId}/cancel`, { method: 'POST' });
      await this.loadBackfills();
    },
    async loadReplays() {
      if (!this.storeId) return;
      this.replays = (await this.api(`/stores/${encodeURIComponent(this.storeId)}/replays`)).items;
    },
    async startReplay() {
      try {
        // datetime-local is the browser's local time; the API takes an instant.
        const from = new Date(this.replayFrom || Date.now() - 86_400_000).toISOString();
        await this.api(`/stores/${encodeURIComponent(this.storeId)}/replays`, {
          method: 'POST',
          body: { from, entities: this.replayEntities },
        });
        this.say('Replay started');
        await this.loadReplays();
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    replaySummary(r) {
      const c = r.counts;
      return `${c.read} / ${r.total || '?'} read · ${c.synced} synced · ${c.unchanged} unchanged · ${c.failed} failed · ${c.waiting} waiting · ${c.skipped} skipped`;
    },
    async createStore() {
      const body = { storeId: this.newStore.storeId, name: this.newStore.name };
      if (this.newStore.magentoBaseUrl) body.magentoBaseUrl = this.newStore.magentoBaseUrl;
      if (this.newStore.magentoToken) body.magentoToken = this.newStore.magentoToken;
      try {
        const res = await this.api('/stores', { method: 'POST', body });
        this.shownSecret = res.webhookSecret;
        this.newStore = { storeId: '', name: '', magentoBaseUrl: '', magentoToken: '' };
        await this.loadStores();
      } catch (e) {
        this.say(e.message + (e.fields?.length ? ` (${e.fields.map((f) => f.field).join(', ')})` : ''), 'error');
      }
    },
    async rotateSecret(storeId) {
      const minutes = prompt(
        `Rotate the webhook secret of ${storeId}? The store must be given the new one.\n` +
          'Minutes the old secret stays accepted meanwhile (0 if it leaked):',
        '60',
      );
      if (minutes === null) return;
      try {
        const res = await this.api(`/stores/${encodeURIComponent(storeId)}/rotate-secret`, {
          method: 'POST',
          body: { keepPreviousMinutes: Number(minutes) },
        });
        this.shownSecret = res.webhookSecret;
        this.say(`The old secret is accepted until ${this.fmt(res.previousSecretUntil)}`);
        await this.loadStores();
      } catch (e) {
        this.say(e.message + (e.fields?.length ? ` (${e.fields.map((f) => f.reason).join(', ')})` : ''), 'error');
      }
    },
    async loadDlq() {
      const q = this.storeId ? `&storeId=${encodeURIComponent(this.storeId)}` : '';
      this.grids.dlq?.setGridOption('rowData', (await this.api(`/dlq?pageSize=200${q}`)).items);
    },
    async requeueSelected() {
      const rows = this.grids.dlq.getSelectedRows();
      if (rows.length === 0) return this.say('Select dead letters first', 'error');
      try {
        await this.api('/dlq/requeue', { method: 'POST', body: { storeId: this.storeId, ids: rows.map((r) => r.id) } });
        this.say(`Requeue sent for ${rows.length} message(s)`);
      } catch (e) {
        this.say(e.message, 'error');
      }
    },
    // ---- reconciliation (run on demand: it reads Xero within the org's daily budget, so it is never polled) ----
    reconDefaults() {
      if (this.recon.from && this.recon.to) return;
      const today = new Date().toISOString().slice(0, 10);
      this.recon.to = this.recon.to || today;
      this.recon.from = this.recon.from || `${today.slice(0, 8)}01`;
    },
    async runReconciliation() {
      if (!this.storeId) return;
      this.recon.running = true;
      this.recon.error = '';
      try {
        const q = new URLSearchParams({ from: this.recon.from, to: this.recon.to });
        this.recon.report = await this.api(`/stores/${encodeURIComponent(this.storeId)}/reconciliation?${q}`);
      } catch (e) {
        this.recon.report = null;
        this.recon.error = e.message + (e.fields?.length ? ` (${e.fields.map((f) => f.reason).join('; ')})` : '');
      } finally {
        this.recon.running = false;
      }
    },
    reconSummary() {
      const r = this.recon.report;
      if (!r) return '';
      if (r.balanced) return `Balanced: ${r.storeDocuments} store documents, ${r.xeroDocuments} in Xero`;
      const n = r.differences.length || r.issues.length;
      return `${n} difference${n === 1 ? '' : 's'} (${r.storeDocuments} store documents, ${r.xeroDocuments} in Xero)`;
    },
    fmt: fmtDate,
    fmtNextAttempt,
  }));
});
