/**
 * The dashboard's actions: `POST /approvals/<id>/approve | reject | answer`.
 * Every action must carry the dashboard's token in the `x-troupe-token`
 * header (401 without it, 403 with a wrong one) and a JSON body; a request
 * from another origin is refused (403). A cross-site page can neither read
 * the token (it is only in the page this origin serves) nor send the custom
 * header without a CORS preflight, which this server never answers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toErrorData } from '../../../protocols/errors/errors.js';

/** What the dashboard may decide on (`orchestrator.approvals`). */
export interface DashboardApprovalActions {
  approve(id: string, options?: { readonly note?: string }): void;
  reject(id: string, options: { readonly reason: string; readonly retry?: boolean }): void;
  answer(id: string, text: string): void;
}

/** The actions a dashboard offers and the token guarding them. */
export interface DashboardActions {
  /** The secret every action carries in `x-troupe-token`. */
  readonly token: string;
  readonly approvals: DashboardApprovalActions;
}

/** Largest action body read. */
const MAX_BODY_BYTES = 64 * 1024;
const ACTION_PATH = /^\/approvals\/([A-Za-z0-9_-]{1,64})\/(approve|reject|answer)$/;

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : undefined;
  } catch {
    return undefined;
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Whether a path is an action path (so the server routes POSTs here). */
export function isActionPath(path: string): boolean {
  return path.startsWith('/approvals/');
}

/**
 * Handles one action request; never throws (errors become JSON replies).
 *
 * @example
 * ```ts
 * if (request.method === 'POST' && isActionPath(path)) return void handleAction(request, response, path, actions, origins);
 * ```
 */
export async function handleAction(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  actions: DashboardActions | undefined,
  origins: readonly string[],
): Promise<void> {
  const match = ACTION_PATH.exec(path);
  if (!actions || !match) return reply(response, 404, { error: 'no such action' });
  const token = request.headers['x-troupe-token'];
  if (typeof token !== 'string' || token === '') return reply(response, 401, { error: 'the dashboard token is missing (x-troupe-token)' });
  if (!sameToken(token, actions.token)) return reply(response, 403, { error: 'wrong dashboard token' });
  const origin = request.headers.origin;
  if (origin !== undefined && !origins.includes(origin)) return reply(response, 403, { error: 'cross-origin action refused' });
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return reply(response, 415, { error: 'send a JSON body' });
  const body = await readJson(request);
  if (!body) return reply(response, 400, { error: 'the body must be a JSON object of at most 64 KiB' });
  const [, id = '', verb] = match;
  try {
    if (verb === 'approve') {
      const note = str(body.note);
      actions.approvals.approve(id, note === undefined ? {} : { note });
    } else if (verb === 'reject') {
      actions.approvals.reject(id, { reason: str(body.reason) ?? '', ...(body.retry === true ? { retry: true } : {}) });
    } else {
      const text = str(body.text);
      if (text === undefined) return reply(response, 400, { error: 'an answer needs a string text' });
      actions.approvals.answer(id, text);
    }
  } catch (error) {
    const data = toErrorData(error);
    return reply(response, data.code === 'APPROVAL_NOT_FOUND' ? 404 : data.code === 'CONFIG_INVALID' ? 400 : 500, { error: data.message, code: data.code });
  }
  reply(response, 200, { ok: true, id, action: verb });
}
