/**
 * The live dashboard: its state, its page and its 127.0.0.1 server.
 */
export { handleAction, isActionPath } from './actions.js';
export type { DashboardActions, DashboardApprovalActions } from './actions.js';
export { APPROVALS_SCRIPT, APPROVALS_STYLE, approvalsSection } from './approvals-panel.js';
export { MAX_APPROVAL_TEXT, approvalView } from './approvals-view.js';
export type { DashboardApproval } from './approvals-view.js';
export { LIVE_TEXT_CHARS, NO_LIVE_TEXT, appendLiveText } from './live-text.js';
export type { LiveText } from './live-text.js';
export { dashboardPage } from './page.js';
export { startDashboardServer } from './server.js';
export type { DashboardServer, DashboardServerOptions } from './server.js';
export { AGENT_PHASES, DashboardModel, MAX_AGENTS_SHOWN, MAX_TASKS_SHOWN, phaseOfState } from './state.js';
export type {
  DashboardAgent,
  DashboardModelOptions,
  DashboardSnapshot,
  DashboardTask,
  DashboardTaskStatus,
  DashboardWorkflow,
} from './state.js';
