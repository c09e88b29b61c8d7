/**
 * The dashboard page's approvals panel: lists what waits for a person and
 * approves, rejects (optionally retrying a task) or answers it through the
 * token-guarded actions (actions.ts). The token comes from the page's
 * `troupe-token` meta tag; every inserted text goes through `esc`.
 */

export const APPROVALS_STYLE = String.raw`
.approvals { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.approvals li { padding: 12px 14px; }
.approvals li.empty { color: var(--muted); }
.approvals pre { white-space: pre-wrap; word-break: break-word; margin: 6px 0; font-size: 12px; max-height: 160px; overflow: auto; }
.approvals input { width: 100%; margin: 4px 0 8px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--panel); color: var(--ink); }
.approvals button { margin-right: 6px; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--line); cursor: pointer;
  background: var(--panel); color: var(--ink); }
.approvals button[data-verb="approve"], .approvals button[data-verb="answer"] { background: var(--ok); color: #fff; border-color: var(--ok); }
.approvals button[data-verb="reject"] { color: var(--bad); }
`;

export const APPROVALS_SCRIPT = String.raw`
(function () {
  var meta = document.querySelector('meta[name="troupe-token"]');
  var token = meta ? meta.getAttribute('content') : '';
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function say(text) { var status = document.getElementById('approvals-status'); if (status) status.textContent = text; }
  function act(id, verb, body) {
    return fetch('approvals/' + encodeURIComponent(id) + '/' + verb, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-troupe-token': token },
      body: JSON.stringify(body)
    }).then(function (response) {
      say(response.ok ? verb + ': ' + id : verb + ' failed (' + response.status + ')');
    }, function () { say(verb + ' failed: the dashboard is unreachable'); });
  }
  function item(a) {
    var what = a.kind === 'tool' ? 'tool ' + a.tool : a.kind === 'question' ? 'question' : 'task output';
    var buttons = a.kind === 'question'
      ? '<button data-verb="answer">Answer</button><button data-verb="reject">Decline</button>'
      : '<button data-verb="approve">Approve</button><button data-verb="reject">Reject</button>' +
        (a.kind === 'task' ? '<button data-verb="retry">Reject and retry</button>' : '');
    return '<li class="card" data-testid="approval" data-id="' + esc(a.id) + '" data-kind="' + esc(a.kind) + '">' +
      '<div><b>' + esc(what) + '</b> · ' + esc(a.agentId) + ' <small class="mono">' + esc(a.id) + '</small></div>' +
      '<pre>' + esc(a.detail) + '</pre>' +
      '<input data-role="text" aria-label="note" placeholder="' + (a.kind === 'question' ? 'your answer' : 'note or reason') + '">' +
      buttons + '</li>';
  }
  window.troupeApprovals = function (s) {
    var box = document.getElementById('approvals');
    if (!box) return;
    var list = s.approvals || [];
    // Redrawn only when the set changes, so a note being typed survives pushes.
    var key = list.map(function (a) { return a.id; }).join(',');
    if (box.getAttribute('data-key') === key) return;
    box.setAttribute('data-key', key);
    box.innerHTML = list.length === 0 ? '<li class="card empty">Nothing waits for a person</li>' : list.map(item).join('');
  };
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest ? event.target.closest('button[data-verb]') : null;
    if (!button) return;
    var entry = button.closest('[data-id]');
    var id = entry.getAttribute('data-id');
    var text = entry.querySelector('[data-role="text"]').value;
    var verb = button.getAttribute('data-verb');
    if (verb === 'approve') act(id, 'approve', text ? { note: text } : {});
    else if (verb === 'answer') act(id, 'answer', { text: text });
    else act(id, 'reject', { reason: text || 'rejected from the dashboard', retry: verb === 'retry' });
  });
})();
`;

/** The panel's markup; empty for a read-only dashboard (no token). */
export function approvalsSection(token: string | undefined): string {
  if (token === undefined) return '';
  return `<section aria-labelledby="approvals-title">
    <h2 id="approvals-title">Waiting for a person <small id="approvals-status" data-testid="approvals-status"></small></h2>
    <ul class="approvals" id="approvals" data-testid="approvals"></ul>
  </section>`;
}
