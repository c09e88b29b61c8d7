/**
 * The dashboard page: one self-contained HTML document (inline CSS and
 * script, no external assets, works offline) that listens to `/events` and
 * draws agents on their state machine, a Gantt timeline per workflow, cost
 * against the limits, tokens and alerts.
 *
 * The script inserts every id through `esc` (ids are user-chosen text).
 */

import { APPROVALS_SCRIPT, APPROVALS_STYLE, approvalsSection } from './approvals-panel.js';

const STYLE = String.raw`
:root {
  --bg: #f5f6fa; --panel: #ffffff; --ink: #1c2230; --muted: #6a7386; --line: #e3e6ee; --track: #eef0f5;
  --accent: #4f46e5; --edge: #b4bccb; --ok: #16a34a; --bad: #dc2626; --warn: #d97706; --run: #2563eb;
  --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f131a; --panel: #171c26; --ink: #e6e9f0; --muted: #8d96a8; --line: #283042; --track: #202737;
    --shadow: 0 1px 2px rgba(0,0,0,.4); --edge: #4a5468; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
header { display: flex; align-items: center; gap: 12px; padding: 14px 24px; background: var(--panel);
  border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 17px; margin: 0; font-weight: 650; letter-spacing: -.01em; }
header h1 span { color: var(--muted); font-weight: 500; }
.logo { width: 26px; height: 26px; border-radius: 7px; background: linear-gradient(135deg, #6366f1, #06b6d4);
  display: grid; place-items: center; color: #fff; font-weight: 700; font-size: 14px; }
.spacer { flex: 1; }
.pill { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px; border-radius: 999px; font-size: 12px;
  font-weight: 600; background: var(--track); color: var(--muted); white-space: nowrap; }
.pill .dot { width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.pill.live { color: var(--ok); background: color-mix(in srgb, var(--ok) 12%, transparent); }
.pill.down { color: var(--bad); background: color-mix(in srgb, var(--bad) 12%, transparent); }
.pill.sim { color: var(--warn); background: color-mix(in srgb, var(--warn) 14%, transparent); }
main { padding: 20px 24px 40px; max-width: 1480px; margin: 0 auto; display: grid; gap: 20px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 14px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; box-shadow: var(--shadow); }
.stat { padding: 14px 16px; }
.stat .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; font-weight: 600; }
.stat .value { font-size: 26px; font-weight: 680; margin-top: 2px; letter-spacing: -.02em; font-variant-numeric: tabular-nums; }
.stat .sub { color: var(--muted); font-size: 12.5px; margin-top: 2px; font-variant-numeric: tabular-nums; }
.bar { height: 7px; background: var(--track); border-radius: 99px; overflow: hidden; margin-top: 9px; }
.bar > i { display: block; height: 100%; border-radius: 99px; background: var(--accent); transition: width .3s; }
.bar.warn > i { background: var(--warn); } .bar.over > i { background: var(--bad); }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 20px; align-items: start; }
@media (max-width: 1000px) { .cols { grid-template-columns: 1fr; } }
section > h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); margin: 0 0 10px;
  font-weight: 650; display: flex; gap: 8px; align-items: baseline; }
section > h2 small { text-transform: none; letter-spacing: 0; font-weight: 500; }
.agents { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.agent { padding: 12px 14px 10px; }
.agent.stopped { opacity: .72; }
.agent-head { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; min-width: 0; }
.agent-id { font-weight: 650; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tag { font-size: 11px; color: var(--muted); background: var(--track); padding: 1px 7px; border-radius: 6px; white-space: nowrap; }
.agent-foot { display: grid; grid-template-columns: 1.5fr 1fr 1fr 1fr; gap: 8px; margin-top: 8px; padding-top: 8px;
  border-top: 1px solid var(--line); font-size: 12.5px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.agent-foot span { display: block; color: var(--muted); font-size: 10.5px; text-transform: uppercase; letter-spacing: .05em; }
.agent-foot b { color: var(--ink); font-weight: 600; }
.agent-foot small { color: var(--muted); }
/* The newest text at the bottom; older lines leave over the top. */
.live-text { margin-top: 8px; padding: 6px 8px; height: 7.5em; overflow: hidden; display: flex; flex-direction: column; justify-content: flex-end;
  font: 11.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word;
  background: var(--bg, #f8fafc); border-radius: 6px; color: var(--ink); }
.live-text span { color: var(--muted); font-size: 10px; text-transform: uppercase; letter-spacing: .05em; margin-right: 6px; }
svg.machine { width: 100%; height: auto; display: block; }
svg.machine .edge { stroke: var(--edge); stroke-width: 1.1; fill: none; }
svg.machine .head { fill: var(--edge); }
svg.machine .group { fill: var(--track); fill-opacity: .55; stroke: var(--line); stroke-dasharray: 3 3; }
svg.machine .group-label { fill: var(--muted); font-size: 7.5px; text-transform: uppercase; letter-spacing: .08em; dominant-baseline: central; }
svg.machine .node rect { fill: var(--panel); stroke: var(--line); stroke-width: 1.2; }
svg.machine .node text { fill: var(--muted); font-size: 9.5px; text-anchor: middle; dominant-baseline: central; font-weight: 500; }
svg.machine .node.current rect { fill: var(--c); stroke: var(--c); filter: drop-shadow(0 0 4px var(--c)); }
svg.machine .node.current text { fill: #fff; font-weight: 700; }
.phase-label { font-weight: 650; color: var(--c); }
.empty { color: var(--muted); padding: 18px; text-align: center; font-size: 13px; }
.side { display: grid; gap: 20px; }
.alerts { list-style: none; margin: 0; padding: 6px; max-height: 340px; overflow: auto; }
.alerts li { display: grid; grid-template-columns: 22px 1fr; gap: 2px 8px; padding: 8px; border-radius: 8px; }
.alerts li + li { border-top: 1px solid var(--line); border-radius: 0; }
.alerts .icon { width: 20px; height: 20px; border-radius: 50%; display: grid; place-items: center; font-size: 12px;
  font-weight: 800; color: #fff; background: var(--bad); grid-row: span 2; }
.alerts .name { font-weight: 650; font-size: 13px; }
.alerts .name time { color: var(--muted); font-weight: 500; margin-left: 6px; font-size: 12px; }
.alerts .msg { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.spend { padding: 10px 14px 14px; display: grid; gap: 10px; }
.spend .row { display: grid; grid-template-columns: 1fr auto; font-size: 12.5px; gap: 2px 8px; }
.spend .row .bar { grid-column: span 2; margin-top: 2px; }
.spend .row .who { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.spend .row .amt { color: var(--muted); font-variant-numeric: tabular-nums; }
.workflow { padding: 14px 16px 12px; }
.workflow + .workflow { margin-top: 12px; }
.wf-head { display: flex; align-items: center; gap: 10px; margin-bottom: 10px; flex-wrap: wrap; }
.wf-head .mono { font-weight: 600; }
.gantt .meta, .wf-head .meta { color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
.gantt { display: grid; grid-template-columns: minmax(110px, 190px) 1fr; gap: 5px 12px; align-items: center; }
.gantt .who { font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: right; color: var(--ink); }
.track { position: relative; height: 18px; background: var(--track); border-radius: 5px; }
.gantt-bar { position: absolute; top: 2px; bottom: 2px; min-width: 3px; border-radius: 4px; background: var(--s);
  overflow: hidden; display: flex; align-items: center; }
.gantt-bar span { color: #fff; font-size: 10.5px; font-weight: 600; padding: 0 6px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.gantt-bar[data-status=running], .gantt-bar[data-status=retrying] {
  background: repeating-linear-gradient(-45deg, var(--s) 0 6px, color-mix(in srgb, var(--s) 70%, #fff) 6px 12px);
  background-size: 17px 17px; animation: slide 1s linear infinite; }
@keyframes slide { to { background-position: 17px 0; } }
.gantt-bar.unstarted { background: none; border: 1.5px dashed var(--s); left: 0; right: 0; opacity: .5; }
.axis { grid-column: 2; display: flex; justify-content: space-between; color: var(--muted); font-size: 11px;
  font-variant-numeric: tabular-nums; border-top: 1px solid var(--line); padding-top: 3px; }
.legend { display: flex; gap: 14px; color: var(--muted); font-size: 12px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; background: var(--s); }
.status { font-size: 11.5px; font-weight: 650; padding: 1px 8px; border-radius: 99px;
  color: var(--s); background: color-mix(in srgb, var(--s) 13%, transparent); }
`;

/** Colours of phases and statuses, shared by the script. */
const SCRIPT = String.raw`
(function () {
  'use strict';
  var PHASE_COLOR = { idle: '#64748b', thinking: '#7c3aed', acting: '#2563eb', usingTools: '#0d9488', consulting: '#d97706',
    reflecting: '#4f46e5', exploring: '#db2777', paused: '#ea580c', awaitingApproval: '#c026d3', done: '#16a34a', failed: '#dc2626' };
  var STATUS_COLOR = { running: '#2563eb', retrying: '#d97706', succeeded: '#16a34a', partial: '#d97706', failed: '#dc2626',
    budget_exceeded: '#b91c1c', skipped: '#94a3b8', cancelled: '#94a3b8' };
  // Where each phase sits on the drawn machine (top-left of a 58x18 box in a 340x114 view).
  var LAYOUT = { idle: [4, 20], thinking: [80, 20], acting: [142, 20], reflecting: [204, 20], done: [278, 20],
    usingTools: [80, 52], consulting: [142, 52], exploring: [204, 52], failed: [278, 52], paused: [142, 92],
    awaitingApproval: [4, 92] };
  // The working region holds the six working steps.
  var GROUP = [74, 4, 194, 74];
  var EDGES = [['idle', 'thinking'], ['thinking', 'acting'], ['acting', 'reflecting'], ['reflecting', 'done'],
    ['acting', 'usingTools'], ['acting', 'consulting'], ['reflecting', 'exploring'], ['acting', 'awaitingApproval'],
    ['awaitingApproval', 'usingTools']];
  var W = 58, H = 18;
  var state = null, receivedAt = 0;

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  // The orchestrator counts cents: show cents below a dollar, dollars above.
  function money(cents) {
    if (cents >= 100) return '$' + (cents / 100).toFixed(2);
    if (cents === 0) return '0¢';
    return (cents >= 10 ? cents.toFixed(1) : cents >= 0.01 ? cents.toFixed(2) : cents.toPrecision(2)) + '¢';
  }
  function num(n) { return n >= 10000 ? (n / 1000).toFixed(1) + 'k' : String(n); }
  function secs(ms) {
    if (ms >= 60000) return (ms / 60000).toFixed(1) + ' min';
    return (ms / 1000).toFixed(ms < 1000 ? 2 : ms < 10000 ? 1 : 0) + ' s';
  }
  function clock(at) { return new Date(at).toLocaleTimeString(); }
  function nowServer() { return state.at + (Date.now() - receivedAt); }
  function label(phase) { return phase === 'usingTools' ? 'using tools' : phase === 'awaitingApproval' ? 'approval' : phase; }
  function el(id) { return document.getElementById(id); }

  // A straight arrow between two boxes' borders (centre to centre, clipped to each box).
  function arrow(a, b) {
    var ax = a[0] + W / 2, ay = a[1] + H / 2, bx = b[0] + W / 2, by = b[1] + H / 2;
    var dx = bx - ax, dy = by - ay;
    var t = Math.min(dx ? (W / 2 + 2) / Math.abs(dx) : Infinity, dy ? (H / 2 + 2) / Math.abs(dy) : Infinity);
    return line(ax + dx * t, ay + dy * t, bx - dx * t, by - dy * t);
  }
  function line(x1, y1, x2, y2) {
    return '<path class="edge" marker-end="url(#arrowhead)" d="M' + x1.toFixed(1) + ' ' + y1.toFixed(1) + ' L' + x2.toFixed(1) + ' ' + y2.toFixed(1) + '"/>';
  }

  function machine(current) {
    var g = GROUP;
    var out = '<svg class="machine" viewBox="0 0 340 114" role="img" aria-label="agent state machine, current state ' + (current || 'unknown') + '">' +
      '<defs><marker id="arrowhead" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5" markerHeight="5" orient="auto-start-reverse">' +
      '<path d="M0 0 L6 3 L0 6 z" class="head"/></marker></defs>' +
      '<rect class="group" x="' + g[0] + '" y="' + g[1] + '" width="' + g[2] + '" height="' + g[3] + '" rx="8"/>' +
      '<text class="group-label" x="' + (g[0] + 6) + '" y="' + (g[1] + 7) + '">working</text>';
    EDGES.forEach(function (e) { out += arrow(LAYOUT[e[0]], LAYOUT[e[1]]); });
    // The working region ends in failed (right) or pauses on an error (below).
    out += line(g[0] + g[2] + 1, LAYOUT.failed[1] + H / 2, LAYOUT.failed[0] - 2, LAYOUT.failed[1] + H / 2);
    out += line(LAYOUT.paused[0] + W / 2, g[1] + g[3] + 1, LAYOUT.paused[0] + W / 2, LAYOUT.paused[1] - 2);
    state.phases.forEach(function (p) {
      var at = LAYOUT[p]; if (!at) return;
      var on = p === current;
      out += '<g class="node' + (on ? ' current' : '') + '" data-phase="' + p + '" style="--c:' + PHASE_COLOR[p] + '">' +
        '<rect x="' + at[0] + '" y="' + at[1] + '" width="' + W + '" height="' + H + '" rx="5"/>' +
        '<text x="' + (at[0] + W / 2) + '" y="' + (at[1] + H / 2) + '">' + label(p) + '</text></g>';
    });
    return out + '</svg>';
  }

  function renderStats(s) {
    var c = s.cost, limit = c.totalLimitCents;
    var share = limit ? Math.min(1, c.spentCents / limit) : 0;
    var bar = limit ? '<div class="bar' + (share > 0.9 ? ' over' : share > 0.7 ? ' warn' : '') + '"><i style="width:' +
      (share * 100).toFixed(1) + '%"></i></div>' : '';
    var ran = s.tasks.succeeded + s.tasks.failed;
    var tokens = s.tokens.input + s.tokens.output + s.tokens.thinking;
    el('stats').innerHTML =
      '<div class="card stat" data-testid="cost"><div class="label">Cost</div>' +
        '<div class="value" data-testid="cost-spent">' + money(c.spentCents) + '</div>' +
        '<div class="sub">' + (limit ? 'of ' + money(limit) + ' total limit' : 'no total limit') +
        (c.reservedCents > 0 ? ' · ' + money(c.reservedCents) + ' held' : '') + '</div>' + bar + '</div>' +
      '<div class="card stat" data-testid="tokens"><div class="label">Tokens</div><div class="value">' + num(tokens) + '</div>' +
        '<div class="sub">' + num(s.tokens.input) + ' in · ' + num(s.tokens.output) + ' out · ' + num(s.tokens.thinking) + ' thinking</div></div>' +
      '<div class="card stat" data-testid="tasks"><div class="label">Tasks</div><div class="value">' + s.tasks.succeeded + '<span style="color:var(--muted);font-size:16px"> / ' + ran + '</span></div>' +
        '<div class="sub">' + (ran ? Math.round(100 * s.tasks.succeeded / ran) + '% succeeded' : 'none finished') +
        ' · ' + s.tasks.running + ' running' + (s.tasks.failed ? ' · ' + s.tasks.failed + ' failed' : '') + '</div></div>' +
      '<div class="card stat"><div class="label">Agents</div><div class="value">' + s.agentCounts.live + '</div>' +
        '<div class="sub">live · ' + s.agentCounts.total + ' spawned · ' + s.calls.total + ' model calls' +
        (s.calls.failed ? ' (' + s.calls.failed + ' failed)' : '') + '</div></div>' +
      '<div class="card stat"><div class="label">Alerts</div><div class="value" style="color:' + (s.alerts.length ? 'var(--bad)' : 'inherit') + '">' +
        s.alerts.length + '</div><div class="sub">' + (s.alerts.length ? 'latest ' + clock(s.alerts[s.alerts.length - 1].at) : 'all thresholds clear') + '</div></div>';
    el('sim').hidden = !s.calls.simulated;
  }

  function renderAgents(s) {
    el('agent-count').textContent = s.agents.length ? s.agentCounts.live + ' live' + (s.agentsHidden ? ', ' + s.agentsHidden + ' more not shown' : '') : '';
    if (!s.agents.length) { el('agents').innerHTML = '<div class="card empty">No agents yet.</div>'; return; }
    var perAgent = s.cost.perAgentLimitCents;
    el('agents').innerHTML = s.agents.map(function (a) {
      var color = PHASE_COLOR[a.phase] || '#64748b';
      return '<div class="card agent' + (a.live ? '' : ' stopped') + '" data-agent="' + esc(a.id) + '" data-phase="' + esc(a.phase || '') + '">' +
        '<div class="agent-head"><span class="agent-id mono" title="' + esc(a.id) + '">' + esc(a.id) + '</span>' +
        '<span class="tag">' + esc(a.template) + '</span><span class="spacer"></span>' +
        '<span class="phase-label" style="--c:' + color + '">' + (a.phase ? label(a.phase) : 'custom state') + '</span></div>' +
        machine(a.phase) +
        '<div class="agent-foot"><div><span>spent</span><b>' + money(a.spentCents) + '</b>' + (perAgent ? '<small> / ' + money(perAgent) + '</small>' : '') + '</div>' +
        '<div><span>tokens</span><b>' + num(a.tokens) + '</b></div><div><span>calls</span><b>' + a.calls + '</b>' +
        (a.failedCalls ? '<small> (' + a.failedCalls + ' failed)</small>' : '') + '</div>' +
        '<div><span>actor</span><b>' + (a.crashed ? 'crashed' : a.live ? 'live' : 'stopped') + '</b></div></div>' +
        (a.liveText ? '<div class="live-text" data-testid="live-text"><div><span>' + esc(a.liveStep || '') + '</span>' + esc(a.liveText.slice(-480)) + '</div></div>' : '') +
        '</div>';
    }).join('');
  }

  function renderSpend(s) {
    var limit = s.cost.perAgentLimitCents;
    var rows = s.agents.filter(function (a) { return a.spentCents > 0; })
      .sort(function (a, b) { return b.spentCents - a.spentCents; }).slice(0, 8);
    var top = rows.length ? rows[0].spentCents : 0;
    el('spend-limit').textContent = limit ? 'limit ' + money(limit) + ' per agent' : 'no per-agent limit';
    el('spend').innerHTML = rows.length ? rows.map(function (a) {
      var share = limit ? a.spentCents / limit : (top ? a.spentCents / top : 0);
      return '<div class="row"><span class="who mono">' + esc(a.id) + '</span><span class="amt">' + money(a.spentCents) + '</span>' +
        '<div class="bar' + (limit && share > 0.9 ? ' over' : limit && share > 0.7 ? ' warn' : '') + '"><i style="width:' +
        (Math.min(1, share) * 100).toFixed(1) + '%"></i></div></div>';
    }).join('') : '<div class="empty">Nothing spent yet.</div>';
  }

  function renderAlerts(s) {
    el('alerts').innerHTML = s.alerts.length ? s.alerts.slice().reverse().map(function (a) {
      return '<li data-alert="' + esc(a.name) + '"><span class="icon">!</span><span class="name">' + esc(a.name.replace('_', ' ')) +
        '<time>' + clock(a.at) + '</time></span><span class="msg">' + esc(a.message) + '</span></li>';
    }).join('') : '<li class="empty" style="display:block">No alerts.</li>';
  }

  function renderTimeline(s) {
    if (!s.workflows.length) { el('timeline').innerHTML = '<div class="card empty">No workflow has run yet.</div>'; return; }
    var now = nowServer();
    el('timeline').innerHTML = s.workflows.map(function (w) {
      var end = w.finishedAt || now, span = Math.max(1, end - w.startedAt);
      var rows = w.tasks.map(function (t) {
        var color = STATUS_COLOR[t.status] || '#64748b';
        var bar;
        if (t.startedAt === null) {
          bar = '<div class="gantt-bar unstarted" data-status="' + t.status + '" style="--s:' + color + '" title="' + t.status + '"></div>';
        } else {
          var stop = t.finishedAt || now;
          var left = Math.max(0, (t.startedAt - w.startedAt) / span * 100);
          var width = Math.max(0, Math.min(100 - left, (stop - t.startedAt) / span * 100));
          var tip = t.status + ' · ' + secs(stop - t.startedAt) + ' · ' + money(t.costCents) +
            (t.confidence === null ? '' : ' · confidence ' + t.confidence.toFixed(2)) + (t.attempts > 1 ? ' · ' + t.attempts + ' attempts' : '');
          bar = '<div class="gantt-bar" data-status="' + t.status + '" style="--s:' + color + ';left:' + left.toFixed(2) + '%;width:' +
            width.toFixed(2) + '%" title="' + esc(tip) + '">' + (width >= 7 ? '<span>' + secs(stop - t.startedAt) + '</span>' : '') + '</div>';
        }
        return '<div class="who mono" title="' + esc(t.agentId) + '">' + esc(t.agentId) + '</div><div class="track">' + bar + '</div>';
      }).join('');
      var ticks = [0, 0.25, 0.5, 0.75, 1].map(function (f) { return '<span>' + secs(span * f) + '</span>'; }).join('');
      return '<div class="card workflow" data-workflow="' + esc(w.id) + '"><div class="wf-head"><span class="mono">' + esc(w.id) + '</span>' +
        '<span class="status" style="--s:' + (STATUS_COLOR[w.status] || '#64748b') + '">' + w.status + '</span>' +
        '<span class="meta">' + w.taskCount + ' tasks · ' + secs(span) + (w.finishedAt ? '' : ' so far') + ' · started ' + clock(w.startedAt) + '</span></div>' +
        '<div class="gantt">' + (rows || '<div></div><div class="empty">Waiting for the first task.</div>') +
        (w.tasksHidden ? '<div></div><div class="meta">' + w.tasksHidden + ' more tasks not shown</div>' : '') +
        (w.status === 'running' && w.taskCount > w.tasks.length + w.tasksHidden
          ? '<div></div><div class="meta">' + (w.taskCount - w.tasks.length - w.tasksHidden) + ' waiting to start</div>' : '') +
        '<div class="axis">' + ticks + '</div></div></div>';
    }).join('');
  }

  function render() {
    if (!state) return;
    renderStats(state); renderAgents(state); renderSpend(state); renderAlerts(state); renderTimeline(state);
    if (window.troupeApprovals) window.troupeApprovals(state);
    el('updated').textContent = 'updated ' + clock(state.at);
  }

  function connect() {
    var source = new EventSource('events');
    source.onopen = function () { el('conn').className = 'pill live'; el('conn-text').textContent = 'live'; };
    source.onerror = function () { el('conn').className = 'pill down'; el('conn-text').textContent = 'reconnecting'; };
    source.onmessage = function (message) {
      state = JSON.parse(message.data); receivedAt = Date.now(); render();
    };
  }
  // Running bars grow between pushes.
  setInterval(function () {
    if (state && state.workflows.some(function (w) { return !w.finishedAt; })) renderTimeline(state);
  }, 500);
  connect();
})();
`;

const LEGEND = [
  ['running', '#2563eb'],
  ['succeeded', '#16a34a'],
  ['failed', '#dc2626'],
  ['retrying', '#d97706'],
  ['skipped / cancelled', '#94a3b8'],
]
  .map(([name, color]) => `<span><i style="--s:${color}"></i>${name}</span>`)
  .join('');

/**
 * The dashboard's HTML; with a token, the approvals panel and its actions.
 *
 * @example
 * ```ts
 * response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(dashboardPage());
 * ```
 */
export function dashboardPage(token?: string): string {
  const tokenMeta = token === undefined ? '' : `<meta name="troupe-token" content="${token.replace(/[^A-Za-z0-9_-]/g, '')}">`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${tokenMeta}
<title>troupe · live dashboard</title>
<style>${STYLE}${APPROVALS_STYLE}</style>
</head>
<body>
<header>
  <div class="logo">t</div>
  <h1>troupe <span>live dashboard</span></h1>
  <span class="pill sim" id="sim" hidden title="answers come from the offline simulated model">simulated model</span>
  <span class="spacer"></span>
  <span class="pill" id="updated">waiting for data</span>
  <span class="pill" id="conn"><span class="dot"></span><span id="conn-text">connecting</span></span>
</header>
<main>
  <div class="stats" id="stats"></div>
  ${approvalsSection(token)}
  <div class="cols">
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents <small id="agent-count"></small></h2>
      <div class="agents" id="agents"></div>
    </section>
    <div class="side">
      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <ul class="card alerts" id="alerts" data-testid="alerts"></ul>
      </section>
      <section aria-labelledby="spend-title">
        <h2 id="spend-title">Cost by agent <small id="spend-limit"></small></h2>
        <div class="card spend" id="spend"></div>
      </section>
    </div>
  </div>
  <section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline <small class="legend">${LEGEND}</small></h2>
    <div id="timeline"></div>
  </section>
</main>
<script>${APPROVALS_SCRIPT}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
