/**
 * The main demo's live terminal view: a header and one row per agent, fitted
 * to the terminal's width and height and redrawn in place. A frame never
 * holds a line as wide as the terminal (which would wrap, and then the
 * cursor-up of the next redraw would fall short and leave copies scrolling
 * up), nor more lines than the terminal has rows.
 */

/** One agent's row. */
export interface LiveRow {
  readonly agentId: string;
  readonly state: string;
  readonly calls: number;
  readonly costCents: number;
  /** The agent's latest streamed text (`step: text`), shown after the numbers as far as the width allows. */
  readonly streaming?: string;
}

/** What a frame shows. */
export interface LiveFrame {
  readonly title: string;
  readonly elapsedSeconds: number;
  readonly costCents: number;
  readonly limitCents: number;
  readonly rows: readonly LiveRow[];
}

/** Where a live view writes: a TTY stream, or anything with its shape. */
export interface LiveOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;
const STATE_WIDTH = 16;
const CALLS_WIDTH = 6;
const COST_WIDTH = 10;
const MIN_AGENT_WIDTH = 8;
const MAX_AGENT_WIDTH = 24;
const MIN_STATE_WIDTH = 6;

/** Display width of `text` (every character the view prints is one column wide). */
function width(text: string): number {
  return [...text].length;
}

/** `text` cut to at most `max` columns, ending in `…` when it was cut. */
export function fit(text: string, max: number): string {
  if (max <= 0) return '';
  const characters = [...text];
  if (characters.length <= max) return text;
  return `${characters.slice(0, max - 1).join('')}…`;
}

function pad(text: string, size: number, alignRight = false): string {
  const cut = fit(text, size);
  const fill = ' '.repeat(Math.max(0, size - width(cut)));
  return alignRight ? fill + cut : cut + fill;
}

/**
 * The lines of one frame for a terminal `columns` wide and `rows` high:
 * every line is at most `columns - 1` wide, and there are at most `rows - 1`
 * lines (agents that do not fit are counted in a last line).
 *
 * @example
 * ```ts
 * const lines = renderFrame({ title: 'demo', elapsedSeconds: 1.5, costCents: 0.2, limitCents: 1000, rows: [] }, 80, 24);
 * ```
 */
export function renderFrame(frame: LiveFrame, columns: number, rows = DEFAULT_ROWS): string[] {
  const max = Math.max(1, Math.floor(columns) - 1);
  const header = [frame.title, `${frame.elapsedSeconds.toFixed(1)}s`, `cost ${frame.costCents.toFixed(3)}¢ of ${frame.limitCents}¢`];
  // Keep the header's last parts (time and cost) when the title does not fit.
  const tail = header.slice(1).join(' · ');
  const title = width(header.join(' · ')) <= max ? header.join(' · ') : `${fit(frame.title, max - width(tail) - 3)} · ${tail}`;
  // Narrow terminals shrink the agent column first, then the state column.
  const numbers = CALLS_WIDTH + COST_WIDTH;
  const agentWidth = Math.min(MAX_AGENT_WIDTH, Math.max(MIN_AGENT_WIDTH, max - STATE_WIDTH - numbers));
  const stateWidth = Math.min(STATE_WIDTH, Math.max(MIN_STATE_WIDTH, max - agentWidth - numbers));
  const row = (agent: string, state: string, calls: string, cost: string, streaming = ''): string =>
    fit(
      `${pad(agent, agentWidth - 1)} ${pad(state, stateWidth - 1)} ${pad(calls, CALLS_WIDTH, true)}${pad(cost, COST_WIDTH, true)}  ${streaming}`.trimEnd(),
      max,
    );
  const lines = [fit(title, max), '', row('agent', 'state', 'calls', 'cost ¢', 'streaming')];
  const room = Math.max(1, Math.floor(rows) - 1 - lines.length);
  const shown = frame.rows.length <= room ? frame.rows : frame.rows.slice(0, room - 1);
  for (const agent of shown) lines.push(row(agent.agentId, agent.state, String(agent.calls), agent.costCents.toFixed(3), agent.streaming));
  if (shown.length < frame.rows.length) lines.push(fit(`… ${frame.rows.length - shown.length} more agents`, max));
  return lines;
}

/** Draws frames in place: each redraw moves the cursor up over the previous frame and clears it. */
export class LiveView {
  readonly #out: LiveOutput;
  #drawn = 0;

  /**
   * @example
   * ```ts
   * const view = new LiveView(process.stdout);
   * view.draw(frame);
   * ```
   */
  constructor(out: LiveOutput) {
    this.#out = out;
  }

  /** Lines of the frame drawn last (what the next redraw moves up over). */
  get drawnLines(): number {
    return this.#drawn;
  }

  draw(frame: LiveFrame): void {
    const lines = renderFrame(frame, this.#out.columns ?? DEFAULT_COLUMNS, this.#out.rows ?? DEFAULT_ROWS);
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A\r\x1b[0J` : '';
    this.#out.write(`${up}${lines.join('\n')}\n`);
    this.#drawn = lines.length;
  }
}
