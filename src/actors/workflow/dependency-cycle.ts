/**
 * Cycle detection on a task dependency graph given as adjacency lists of task
 * indices: a workflow whose dependencies form a cycle can never start them.
 */

/**
 * A dependency cycle as task indices in dependency order (each depends on the
 * next, the last on the first), starting at its earliest-declared task; or
 * undefined when the graph is acyclic. Iterative depth-first search with an
 * explicit stack, so a 10,000-long chain cannot overflow the call stack.
 *
 * @example
 * ```ts
 * findDependencyCycle([[1], [2], [0]]); // [0, 1, 2]: 0 depends on 1, 1 on 2, 2 on 0
 * findDependencyCycle([[1], []]); // undefined
 * ```
 */
export function findDependencyCycle(edges: readonly (readonly number[])[]): number[] | undefined {
  const WHITE = 0;
  const GREY = 1; // on the current DFS path
  const BLACK = 2; // fully explored, part of no cycle
  const colour = new Uint8Array(edges.length);
  const pathNodes: number[] = [];
  const nextEdge: number[] = [];
  for (let root = 0; root < edges.length; root++) {
    if (colour[root] !== WHITE) continue;
    colour[root] = GREY;
    pathNodes.push(root);
    nextEdge.push(0);
    while (pathNodes.length > 0) {
      const top = pathNodes.length - 1;
      const node = pathNodes[top] ?? 0;
      const edge = nextEdge[top] ?? 0;
      const targets = edges[node] ?? [];
      if (edge >= targets.length) {
        colour[node] = BLACK;
        pathNodes.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      const target = targets[edge] ?? 0;
      if (colour[target] === WHITE) {
        colour[target] = GREY;
        pathNodes.push(target);
        nextEdge.push(0);
      } else if (colour[target] === GREY) {
        const cycle = pathNodes.slice(pathNodes.lastIndexOf(target));
        const start = cycle.indexOf(Math.min(...cycle));
        return [...cycle.slice(start), ...cycle.slice(0, start)];
      }
    }
  }
  return undefined;
}
