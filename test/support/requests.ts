/**
 * Reading the model requests a scripted provider recorded: which agent asked,
 * what it was asked, and which step of the agent machine asked it.
 */
import type { ModelRequest } from '../../src/index.js';
import { messageText, systemText } from '../../src/index.js';

/** The agent a request comes from: its system prompt starts "You are <agentId>,". */
export function agentOf(request: ModelRequest): string {
  return /You are ([^,\s]+),/.exec(systemText(request.system))?.[1] ?? '';
}

/** The request's messages as one text. */
export function promptOf(request: ModelRequest): string {
  return request.messages.map(messageText).join('\n');
}

/** The reflecting step's call (self-critique with a confidence). */
export function isReflection(request: ModelRequest): boolean {
  return request.structuredOutput?.name === 'self_reflection';
}
