// Property-based tests of random trees of ambient scopes: CancelScopes (shielded or not),
// timeouts that never expire (links only), TaskGroups whose tasks are subtrees, and leaves that
// sleep, with random scopes cancelled in a random order once the whole tree is waiting. No
// scope is handed a signal: everything links through the current scope. A model of trio's rules
// predicts which scope's cancellation reaches each leaf (the first to reach it wins, a shield
// stops it), which scopes catch their own cancellation, and which error surfaces; and nothing
// is left running (no leaf pending, no timer armed) once the tree's root scope has exited.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, CancelledError, CancelScope, currentSignal, sleep, TaskGroup, timeout } from "../../src/index.js";

type Spec =
  | { readonly kind: "leaf" }
  | { readonly kind: "throw" }
  | { readonly kind: "scope"; readonly shield: boolean; readonly child: Spec }
  | { readonly kind: "timeout"; readonly child: Spec }
  | { readonly kind: "group"; readonly tasks: readonly Spec[] };

/** A node of the tree as run and as modelled; tasks are nodes of their own (kind "task"). */
interface Node {
  readonly id: number;
  readonly kind: Spec["kind"] | "task";
  readonly shield: boolean;
  readonly children: Node[];
  /** Model: the reason that aborted this node's signal first, and whether it was its own. */
  reason?: unknown;
  own?: boolean;
  /** Run: the manager, for cancel() and cancelledCaught. */
  handle?: CancelScope | TaskGroup;
  /** Run: how a leaf ended, and whether it saw its innermost signal as current. */
  outcome?: { status: "fulfilled" | "rejected"; value: unknown };
  sawOwnSignal?: boolean;
}

function instantiate(spec: Spec, nodes: Node[]): Node {
  const node: Node = {
    id: nodes.length,
    kind: spec.kind,
    shield: spec.kind === "scope" && spec.shield,
    children: [],
  };
  nodes.push(node);
  if (spec.kind === "scope" || spec.kind === "timeout") node.children.push(instantiate(spec.child, nodes));
  if (spec.kind === "group") {
    for (const task of spec.tasks) {
      const taskNode: Node = { id: nodes.length, kind: "task", shield: false, children: [] };
      nodes.push(taskNode);
      taskNode.children.push(instantiate(task, nodes));
      node.children.push(taskNode);
    }
  }
  return node;
}

function specArbitrary(depth: number, withThrow: boolean): fc.Arbitrary<Spec> {
  const leaf: fc.Arbitrary<Spec> = withThrow
    ? fc.constantFrom<Spec>({ kind: "leaf" }, { kind: "leaf" }, { kind: "throw" })
    : fc.constant<Spec>({ kind: "leaf" });
  if (depth === 0) return leaf;
  const child = specArbitrary(depth - 1, withThrow);
  return fc.oneof(leaf, inner(child));
}

function inner(child: fc.Arbitrary<Spec>): fc.Arbitrary<Spec> {
  return fc.oneof(
    fc.record({ kind: fc.constant("scope" as const), shield: fc.boolean(), child }),
    fc.record({ kind: fc.constant("timeout" as const), child }),
    fc.record({ kind: fc.constant("group" as const), tasks: fc.array(child, { minLength: 1, maxLength: 3 }) }),
  );
}

/** Starts the node's work; every scope is entered synchronously, so the whole tree waits at once. */
function run(node: Node, current: AbortSignal | undefined): Promise<unknown> {
  switch (node.kind) {
    case "leaf": {
      node.sawOwnSignal = currentSignal() === current;
      const leaf = sleep(5, node.id);
      leaf.then(
        (value) => {
          node.outcome = { status: "fulfilled", value };
        },
        (reason: unknown) => {
          node.outcome = { status: "rejected", value: reason };
        },
      );
      return leaf;
    }
    case "throw":
      return (async () => {
        await null;
        throw new Error(`E${node.id}`);
      })();
    case "scope": {
      const scope = new CancelScope({ shield: node.shield });
      node.handle = scope;
      return asyncWith(scope, async () => {
        await run(node.children[0] as Node, scope.signal);
        await sleep(0); // a checkpoint: a cancelled scope's block ends here at the latest
      });
    }
    case "timeout":
      return asyncWith(timeout(10_000), async (t) => {
        await run(node.children[0] as Node, t.signal);
        await sleep(0);
      });
    case "group": {
      const group = new TaskGroup();
      node.handle = group;
      return asyncWith(group, async (tg) => {
        for (const task of node.children) tg.createTask((signal) => run(task.children[0] as Node, signal));
        await sleep(0);
      });
    }
    default:
      throw new Error(`not runnable: ${node.kind}`);
  }
}

/** trio's rule for one cancel: the scope's signal aborts unless already aborted, then flows down to unshielded descendants. */
function modelCancel(node: Node, reason: unknown): void {
  if (node.reason !== undefined) return;
  node.reason = reason;
  node.own = true;
  flowDown(node);
}

function flowDown(node: Node): void {
  for (const child of node.children) {
    if (child.shield || child.reason !== undefined) continue;
    child.reason = node.reason;
    child.own = false;
    flowDown(child);
  }
}

/** The innermost scope (or task) around each leaf. */
function leavesWithScopes(node: Node, around: Node | undefined, out: Array<[Node, Node | undefined]>): void {
  if (node.kind === "leaf") out.push([node, around]);
  for (const child of node.children) leavesWithScopes(child, node, out);
}

/** The error the model expects out of `node`: a failure's message, nested groups as sorted lists, or null. */
function expectedFailure(node: Node): string | null {
  switch (node.kind) {
    case "leaf":
      return null;
    case "throw":
      return `E${node.id}`;
    case "group": {
      const failures = node.children.map((task) => expectedFailure(task.children[0] as Node)).filter((f) => f !== null);
      return failures.length === 0 ? null : `[${failures.sort().join(",")}]`;
    }
    default:
      return expectedFailure(node.children[0] as Node);
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof AggregateError) return `[${error.errors.map(describeFailure).sort().join(",")}]`;
  if (error instanceof Error && /^E\d+$/.test(error.message)) return error.message;
  return `unexpected ${String(error)}`;
}

function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

const scenario = (withThrow: boolean) =>
  fc.record({
    root: inner(specArbitrary(3, withThrow)),
    cancels: fc.array(fc.nat(), { maxLength: 4 }),
  });

test("random scope trees: the first cancellation to reach a leaf wins, shields stop it, owners catch it", async () => {
  await fc.assert(
    fc.asyncProperty(scenario(false), async ({ root: spec, cancels }) => {
      const timersBefore = pendingTimers();
      const nodes: Node[] = [];
      const root = instantiate(spec, nodes);
      const done = run(root, undefined);
      const cancellable = nodes.filter((n) => n.kind === "scope" || n.kind === "group");
      for (const pick of cancels) {
        if (cancellable.length === 0) break;
        const node = cancellable[pick % cancellable.length] as Node;
        const reason = new CancelledError(`cancel of node ${node.id}`);
        modelCancel(node, reason);
        node.handle?.cancel(reason);
      }
      const value = await done;
      assert.equal(value, undefined, "no cancellation escapes the tree");

      const leaves: Array<[Node, Node | undefined]> = [];
      leavesWithScopes(root, undefined, leaves);
      for (const [leaf, around] of leaves) {
        assert.ok(leaf.outcome !== undefined, `leaf ${leaf.id} still running after the root exited`);
        assert.equal(leaf.sawOwnSignal, true, `leaf ${leaf.id} ran with its innermost scope current`);
        if (around?.reason === undefined) assert.deepEqual(leaf.outcome, { status: "fulfilled", value: leaf.id });
        else assert.deepEqual(leaf.outcome, { status: "rejected", value: around.reason });
      }
      for (const node of nodes) {
        if (node.kind !== "scope") continue;
        assert.equal(
          (node.handle as CancelScope).cancelledCaught,
          node.own === true,
          `scope ${node.id} cancelledCaught`,
        );
      }
      assert.equal(pendingTimers(), timersBefore, "no timer left behind");
    }),
    { numRuns: 150 },
  );
});

test("random scope trees with failing leaves: the failures surface, grouped as the TaskGroups nest", async () => {
  await fc.assert(
    fc.asyncProperty(scenario(true), async ({ root: spec, cancels }) => {
      const timersBefore = pendingTimers();
      const nodes: Node[] = [];
      const root = instantiate(spec, nodes);
      const done = run(root, undefined).then(
        () => null,
        (error: unknown) => describeFailure(error),
      );
      const cancellable = nodes.filter((n) => n.kind === "scope" || n.kind === "group");
      for (const pick of cancels) {
        if (cancellable.length === 0) break;
        (cancellable[pick % cancellable.length] as Node).handle?.cancel();
      }
      assert.equal(await done, expectedFailure(root));
      const leaves: Array<[Node, Node | undefined]> = [];
      leavesWithScopes(root, undefined, leaves);
      for (const [leaf] of leaves) assert.ok(leaf.outcome !== undefined, `leaf ${leaf.id} still running`);
      assert.equal(pendingTimers(), timersBefore, "no timer left behind");
    }),
    { numRuns: 150 },
  );
});
